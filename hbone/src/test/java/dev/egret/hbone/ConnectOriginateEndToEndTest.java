package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import dev.egret.hbone.testing.TestZtunnel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's {@code connect_originate} run as istiod writes it: an endpoint that is the internal listener
 * {@code connect_originate} with the pod address in its {@code envoy.filters.listener.original_dst}
 * metadata; {@code internal_upstream} passes that metadata through; the listener's
 * {@code original_dst} filter makes it the local address; {@code tcp_proxy} with
 * {@code tunneling_config.hostname: %DOWNSTREAM_LOCAL_ADDRESS%} tunnels over an ORIGINAL_DST cluster
 * ({@code upstream_port_override} = the destination ztunnel's port) with mutual TLS and HTTP/2. A test
 * ztunnel checks the CONNECT authority and the caller's SPIFFE id, and echoes the bytes.
 */
class ConnectOriginateEndToEndTest {
  static final String WAYPOINT = "spiffe://cluster.local/ns/istio-system/sa/waypoint";
  static final String POD = "spiffe://cluster.local/ns/default/sa/httpbin";
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: front
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: front
                cluster: ${CLUSTER}
        - name: connect_originate
          internal_listener: {}
          listener_filters:
          - name: envoy.filters.listener.original_dst
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: connect_originate
                cluster: connect_originate
                tunneling_config:
                  hostname: "%DOWNSTREAM_LOCAL_ADDRESS%"
                  headers_to_add: [{ header: { key: baggage, value: "k8s.namespace.name=istio-system" } }]
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "originate %DOWNSTREAM_LOCAL_ADDRESS% %UPSTREAM_HOST% %RESPONSE_FLAGS% %UPSTREAM_TRANSPORT_FAILURE_REASON%\\n"
        clusters:
        - name: pod
          type: STATIC
          transport_socket:
            name: internal_upstream
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport
              passthrough_metadata:
              - { kind: { host: {} }, name: envoy.filters.listener.original_dst }
              transport_socket:
                name: raw_buffer
                typed_config: { "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer }
          load_assignment:
            cluster_name: pod
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { envoy_internal_address: { server_listener_name: connect_originate, endpoint_id: "127.0.0.1:8080" } } }
                metadata: { filter_metadata: { envoy.filters.listener.original_dst: { local: "127.0.0.1:8080" } } }
        - name: refusing_pod
          type: STATIC
          transport_socket:
            name: internal_upstream
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport
              passthrough_metadata:
              - { kind: { host: {} }, name: envoy.filters.listener.original_dst }
          load_assignment:
            cluster_name: refusing_pod
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { envoy_internal_address: { server_listener_name: connect_originate, endpoint_id: "127.0.0.1:503" } } }
                metadata: { filter_metadata: { envoy.filters.listener.original_dst: { local: "127.0.0.1:503" } } }
        - name: connect_originate
          type: ORIGINAL_DST
          lb_policy: CLUSTER_PROVIDED
          connect_timeout: 10s
          cleanup_interval: 60s
          original_dst_lb_config: { upstream_port_override: ${ZTUNNEL_PORT} }
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: { http2_protocol_options: { allow_connect: true } }
          transport_socket:
            name: tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              common_tls_context:
                tls_params: { tls_minimum_protocol_version: TLSv1_3, tls_maximum_protocol_version: TLSv1_3 }
                alpn_protocols: [h2]
                tls_certificates:
                - certificate_chain: { filename: "${CERT}" }
                  private_key: { filename: "${KEY}" }
                validation_context:
                  trusted_ca: { filename: "${CA}" }
                  match_typed_subject_alt_names:
                  - san_type: URI
                    matcher: { prefix: "spiffe://cluster.local/" }
      """;

  static Path dir;
  static TestPki.Ca ca;
  static TestZtunnel ztunnel;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("egret-connect-originate");
    ca = TestPki.newCa("cluster.local root");
    ztunnel = new TestZtunnel(server(ca.issue("ztunnel", List.of(), List.of(POD), List.of())));
  }

  @AfterAll
  static void stop() {
    ztunnel.close();
  }

  static SslContext server(TestPki.Issued cert) throws Exception {
    return SslContextBuilder.forServer(cert.key(), cert.cert())
        .trustManager(ca.cert())
        .clientAuth(ClientAuth.REQUIRE)
        .protocols("TLSv1.3")
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
        .build();
  }

  static EgretHarness egret(String cluster) throws Exception {
    ztunnel.connects.clear(); // what earlier tests asked for
    Path caPem = ca.writePem(dir);
    TestPki.PemFiles own = ca.issue("waypoint", List.of(), List.of(WAYPOINT), List.of())
        .writePem(Files.createDirectories(dir.resolve("waypoint-" + cluster)));
    return new EgretHarness(CONFIG, Map.of("CERT", own.certChain(), "KEY", own.key(), "CA", caPem,
        "ZTUNNEL_PORT", ztunnel.address().getPort(), "CLUSTER", cluster));
  }

  @Test
  void bytesReachThePodThroughAnHboneTunnelWithTheMetadataAddressAsAuthority() throws Exception {
    try (EgretHarness egret = egret("pod");
        Socket s = new Socket(InetAddress.getLoopbackAddress(), egret.port("front"))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("ping through connect_originate".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(in.readNBytes(30), StandardCharsets.US_ASCII)).isEqualTo("ping through connect_originate");
      assertThat(ztunnel.nextConnect()).isEqualTo("127.0.0.1:8080 " + WAYPOINT);
      byte[] big = new byte[512 * 1024];
      java.util.Arrays.fill(big, (byte) 'z');
      out.write(big);
      out.flush();
      assertThat(in.readNBytes(big.length)).isEqualTo(big);
      s.shutdownOutput();
      assertThat(in.read()).isEqualTo(-1); // the half-close crossed the tunnel and came back
      assertThat(egret.awaitLogLineStartingWith("originate "))
          .isEqualTo("originate 127.0.0.1:8080 127.0.0.1:" + ztunnel.address().getPort() + " - -");
    }
  }

  @Test
  void aConnectTheDestinationRefusesIsAConnectFailure() throws Exception {
    try (EgretHarness egret = egret("refusing_pod");
        Socket s = new Socket(InetAddress.getLoopbackAddress(), egret.port("front"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write('x');
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(egret.awaitLogLineStartingWith("originate ")).startsWith("originate 127.0.0.1:503 127.0.0.1:"
          + ztunnel.address().getPort() + " UF");
    }
  }
}
