package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RefusedPort;
import dev.egret.core.testing.TestPki;
import dev.egret.hbone.testing.BurstH2Client;
import dev.egret.hbone.testing.PipeProbe;
import dev.egret.hbone.testing.RawH2Client;
import dev.egret.hbone.testing.TcpEcho;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Egret as an HBONE server, configured as istiod configures {@code connect_terminate} (mTLS, TLS 1.3
 * only, ALPN h2, URI SAN prefix of the trust domain, HTTP/2 CONNECT with {@code connect_matcher} and
 * {@code upgrade_configs}), driven by a frame-level HTTP/2 client with SPIFFE certificates.
 */
class HboneServerEndToEndTest {
  static final String PEER = "spiffe://cluster.local/ns/default/sa/sleep";
  static final String WAYPOINT = "spiffe://cluster.local/ns/istio-system/sa/waypoint";

  static final String CONFIG = """
      static_resources:
        listeners:
        - name: connect_terminate
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - name: default
            transport_socket:
              name: tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                require_client_certificate: true
                common_tls_context:
                  tls_params: { tls_minimum_protocol_version: TLSv1_3, tls_maximum_protocol_version: TLSv1_3 }
                  alpn_protocols: [h2]
                  tls_certificates:
                  - certificate_chain: { filename: "${CERT}" }
                    private_key: { filename: "${KEY}" }
                  combined_validation_context:
                    default_validation_context:
                      trusted_ca: { filename: "${CA}" }
                      match_typed_subject_alt_names:
                      - san_type: URI
                        matcher: { prefix: "spiffe://cluster.local/" }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: connect_terminate
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:METHOD)% %REQ(:AUTHORITY)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %DOWNSTREAM_PEER_URI_SAN% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_CLUSTER%\\n"
                route_config:
                  name: default
                  virtual_hosts:
                  - name: http
                    domains: ["10.0.0.80:80"]
                    routes:
                    - match: { connect_matcher: {} }
                      route:
                        cluster: http_backend
                        upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
                  - name: refused
                    domains: ["10.0.0.99:99"]
                    routes:
                    - match: { connect_matcher: {} }
                      route:
                        cluster: refused
                        upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
                  - name: default
                    domains: ["*"]
                    routes:
                    - match: { connect_matcher: {} }
                      route:
                        cluster: main_internal
                        upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                http2_protocol_options:
                  max_concurrent_streams: 100
                  allow_connect: true
                  connection_keepalive: { interval: 10s, timeout: 20s }
                server_name: istio-envoy
                use_remote_address: false
                upgrade_configs: [{ upgrade_type: CONNECT }]
                stream_idle_timeout: 0s
        - name: fast_keepalive
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - name: default
            transport_socket:
              name: tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                require_client_certificate: true
                common_tls_context:
                  tls_params: { tls_minimum_protocol_version: TLSv1_3, tls_maximum_protocol_version: TLSv1_3 }
                  alpn_protocols: [h2]
                  tls_certificates:
                  - certificate_chain: { filename: "${CERT}" }
                    private_key: { filename: "${KEY}" }
                  combined_validation_context:
                    default_validation_context:
                      trusted_ca: { filename: "${CA}" }
                      match_typed_subject_alt_names:
                      - san_type: URI
                        matcher: { prefix: "spiffe://cluster.local/" }
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: fast_keepalive
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:METHOD)% %REQ(:AUTHORITY)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %DOWNSTREAM_PEER_URI_SAN% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_CLUSTER%\\n"
                route_config:
                  name: default
                  virtual_hosts:
                  - name: http
                    domains: ["10.0.0.80:80"]
                    routes:
                    - match: { connect_matcher: {} }
                      route:
                        cluster: http_backend
                        upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
                  - name: refused
                    domains: ["10.0.0.99:99"]
                    routes:
                    - match: { connect_matcher: {} }
                      route:
                        cluster: refused
                        upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
                  - name: default
                    domains: ["*"]
                    routes:
                    - match: { connect_matcher: {} }
                      route:
                        cluster: main_internal
                        upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                http2_protocol_options:
                  max_concurrent_streams: 100
                  allow_connect: true
                  connection_keepalive: { interval: 0.1s, timeout: 0.3s, interval_jitter: { value: 0 } }
                server_name: istio-envoy
                use_remote_address: false
                upgrade_configs: [{ upgrade_type: CONNECT }]
                stream_idle_timeout: 0s
        clusters:
        - name: main_internal
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: main_internal
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${ECHO_PORT} } } } }] }]
        - name: http_backend
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: http_backend
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${HTTP_PORT} } } } }] }]
        - name: refused
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: refused
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${REFUSED_PORT} } } } }] }]
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      """;

  static Path dir;
  static TestPki.Ca ca;
  static TcpEcho echo;
  static DemoUpstream http;
  static EgretHarness egret;
  static RefusedPort refused;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("egret-hbone-server");
    ca = TestPki.newCa("cluster.local root");
    Path caPem = ca.writePem(dir);
    TestPki.PemFiles server = ca.issue("waypoint", List.of(), List.of(WAYPOINT), List.of("127.0.0.1"))
        .writePem(Files.createDirectories(dir.resolve("server")));
    echo = new TcpEcho();
    refused = new RefusedPort();
    http = DemoUpstream.http1("inner-http").withFixedBody("inner hello");
    egret = new EgretHarness(CONFIG, Map.of("CERT", server.certChain(), "KEY", server.key(), "CA", caPem,
        "ECHO_PORT", echo.port(), "HTTP_PORT", http.port(),
        "REFUSED_PORT", refused.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    echo.close();
    http.close();
    refused.close();
  }

  static SslContext client(TestPki.Ca issuer, String uri, String... protocols) throws Exception {
    TestPki.Issued c = issuer.issue("client", List.of(), List.of(uri), List.of(), Duration.ofDays(1));
    return SslContextBuilder.forClient()
        .keyManager(c.key(), c.cert())
        .trustManager(ca.cert())
        .protocols(protocols.length == 0 ? new String[] {"TLSv1.3"} : protocols)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
        .build();
  }

  static Http2Headers connect(String authority) {
    return new DefaultHttp2Headers().method("CONNECT").authority(authority);
  }

  RawH2Client hbone() throws Exception {
    return RawH2Client.connect(egret.port("connect_terminate"), client(ca, PEER));
  }

  @Test
  void connectIsAnswered200AndBytesFlowBothWays() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:9000"), false);
      assertThat(s.next()).isEqualTo("headers:200");
      s.send("ping-1", false);
      assertThat(s.readData(6)).isEqualTo("ping-1");
      s.send("x".repeat(200_000), false);
      assertThat(s.readData(200_000)).hasSize(200_000);
      for (int i = 0; i < 40; i++) {
        s.send("z".repeat(250_000), false);
      }
      assertThat(s.readData(10_000_000)).hasSize(10_000_000);
      s.send("", true);
      assertThat(s.next()).isEqualTo("end");
    }
    String line = egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:9000 ");
    assertThat(line).contains(" 200 - via_upstream " + PEER + " 10200006 10200006 ").endsWith(" main_internal");
  }

  @Test
  void egretsHboneClientTunnelsThroughEgretsHboneServer() throws Exception {
    TestPki.Issued me = ca.issue("client", List.of(), List.of(PEER), List.of());
    io.netty.channel.EventLoopGroup group = dev.egret.core.Transports.newGroup(1,
        java.util.concurrent.Executors.defaultThreadFactory());
    try (HboneConnector hbone = new HboneConnector(HboneTls.client(me.certPem(), me.keyPem(), ca.certPem(),
        List.of("cluster.local")), HboneClientSettings.DEFAULT)) {
      PipeProbe p = PipeProbe.open(hbone.opener(new java.net.InetSocketAddress("127.0.0.1",
          egret.port("connect_terminate")), "10.0.0.9:9500", null), group.next());
      assertThat(p.next()).isEqualTo("open");
      p.send("own client");
      assertThat(p.readData(10)).isEqualTo("own client");
      p.halfClose();
      assertThat(p.next()).isEqualTo("end");
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:9500 ")).contains(" 200 - via_upstream " + PEER);
  }

  @Test
  void innerHttp11RequestIsAnsweredThroughTheTunnel() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.80:80"), false);
      assertThat(s.next()).isEqualTo("headers:200");
      s.send("GET /inner HTTP/1.1\r\nHost: svc.default\r\nConnection: close\r\n\r\n", false);
      StringBuilder got = new StringBuilder();
      while (true) {
        String f = s.next();
        if (f.equals("end")) {
          break;
        }
        assertThat(f).startsWith("data:");
        got.append(f.substring(5));
      }
      assertThat(got.toString()).startsWith("HTTP/1.1 200").endsWith("inner hello");
      s.send("", true); // our half: the stream ends when both have ended
    }
    assertThat(http.requests()).anySatisfy(r -> assertThat(r.uri()).isEqualTo("/inner"));
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.80:80 ")).contains(" 200 - via_upstream " + PEER);
  }

  @Test
  void halfCloseTravelsAsFinAndComesBackAsEndStream() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:9001"), false);
      assertThat(s.next()).isEqualTo("headers:200");
      s.send("last words", true); // END_STREAM → FIN to the echo server, which answers with a FIN
      assertThat(s.readData(10)).isEqualTo("last words");
      assertThat(s.next()).isEqualTo("end"); // an empty DATA frame with END_STREAM
    }
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:9001 ")).contains(" 200 - via_upstream ");
  }

  @Test
  void resetNoErrorIsACleanEndWithoutFlags() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:9002"), false);
      assertThat(s.next()).isEqualTo("headers:200");
      s.send("abc", false);
      assertThat(s.readData(3)).isEqualTo("abc");
      s.reset(Http2Error.NO_ERROR);
      assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:9002 ")).contains(" 200 - via_upstream ");
    }
  }

  @Test
  void resetWithAnErrorCodeIsLoggedAsDownstreamReset() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:9003"), false);
      assertThat(s.next()).isEqualTo("headers:200");
      s.reset(Http2Error.INTERNAL_ERROR);
      assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:9003 ")).contains(" 200 DR ");
      awaitEchoEvent("reset"); // any other code than NO_ERROR/CANCEL aborts the upstream with an RST
    }
  }

  @Test
  void upstreamConnectFailureIs503WithUfAndNoBody() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.99:99"), false);
      assertThat(s.next()).isEqualTo("headers:503:end");
    }
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.99:99 ")).contains(
        " 503 UF upstream_reset_before_response_started{remote_connection_failure|delayed_connect_error:_Connection_refused} ");
  }

  @Test
  void serverPingsAndKeepsAConnectionWhoseClientAnswers() throws Exception {
    try (RawH2Client c = RawH2Client.connect(egret.port("fast_keepalive"), client(ca, PEER), true)) {
      c.open(connect("10.0.0.9:9100"), false); // SETTINGS exchange done before the first PING
      assertThat(c.awaitConnectionEvent()).isEqualTo("ping");
      assertThat(c.awaitConnectionEvent()).isEqualTo("ping"); // a next PING comes an interval after the ACK
      assertThat(c.awaitConnectionEvent()).isEqualTo("ping");
      assertThat(c.isOpen()).isTrue();
    }
  }

  @Test
  void serverClosesWithGoawayWhenPingsAreNotAnswered() throws Exception {
    try (RawH2Client c = RawH2Client.connect(egret.port("fast_keepalive"), client(ca, PEER), false)) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:9101"), false);
      assertThat(s.next()).isEqualTo("headers:200");
      assertThat(c.awaitConnectionEvent()).isEqualTo("ping");
      assertThat(c.awaitConnectionEvent()).isEqualTo("goaway:0");
      assertThat(c.awaitConnectionEvent()).isEqualTo("closed");
    }
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:9101 ")).contains(" 200 DC ");
  }

  @Test
  /** Netty applies the advertised limit before the client ACKs SETTINGS (hbone.md §4.2 rule 1). */
  void streamsBeyondMaxConcurrentStreamsAreRefusedEvenBeforeSettingsAck() throws Exception {
    try (BurstH2Client c = new BurstH2Client(egret.port("connect_terminate"), client(ca, PEER))) {
      c.burst(101, i -> connect("10.0.0.9:" + (9200 + i)));
      int ok = 0;
      List<String> refused = new java.util.ArrayList<>();
      for (int i = 0; i < 101; i++) {
        String a = c.next();
        if (a.endsWith(":200")) {
          ok++;
        } else {
          refused.add(a);
        }
      }
      assertThat(ok).isEqualTo(100);
      assertThat(refused).containsExactly("rst:201:" + Http2Error.REFUSED_STREAM.code());
    }
  }

  @Test
  void nonConnectMethodGets404NoRoute() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(new DefaultHttp2Headers().method("GET").scheme("https").path("/")
          .authority("10.0.0.9:80"), true);
      assertThat(s.next()).isEqualTo("headers:404:end");
    }
    assertThat(egret.awaitLogLineStartingWith("GET 10.0.0.9:80 ")).contains(" 404 NR route_not_found ");
  }

  @Test
  void connectWithPathIsResetWithProtocolError() throws Exception {
    try (RawH2Client c = hbone()) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:80").path("/"), false);
      assertThat(s.next()).isEqualTo("rst:" + Http2Error.PROTOCOL_ERROR.code());
      RawH2Client.Stream s2 = c.open(connect("10.0.0.9:80").scheme("https"), false);
      assertThat(s2.next()).isEqualTo("rst:" + Http2Error.PROTOCOL_ERROR.code());
      assertThat(c.isOpen()).isTrue(); // a stream error, not a connection error
    }
  }

  @Test
  void malformedAuthoritiesGet400() throws Exception {
    try (RawH2Client c = hbone()) {
      for (String bad : List.of("10.0.0.9", "10.0.0.9:0", "10.0.0.9:70000", "fd00::1:80", "[fd00::1]",
          "bad!host:80", "10.0.0.9:8a")) {
        RawH2Client.Stream s = c.open(connect(bad), false);
        assertThat(s.next()).as(bad).isEqualTo("headers:400:end");
      }
      RawH2Client.Stream v6 = c.open(connect("[fd00::1]:80"), false);
      assertThat(v6.next()).isEqualTo("headers:200");
      RawH2Client.Stream host = c.open(connect("svc.ns.svc.cluster.local:80"), false);
      assertThat(host.next()).isEqualTo("headers:200");
    }
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:8a ")).contains(" 400 - invalid_connect_authority ");
  }

  @Test
  void clientCertificateFromAnotherCaIsRejected() throws Exception {
    assertHandshakeRefused(client(TestPki.newCa("other root"), PEER));
  }

  @Test
  void clientFromAnotherTrustDomainIsRejected() throws Exception {
    assertHandshakeRefused(client(ca, "spiffe://evil.local/ns/default/sa/sleep"));
  }

  @Test
  void tls12OnlyClientIsRejected() throws Exception {
    assertHandshakeRefused(client(ca, PEER, "TLSv1.2"));
  }

  private static void awaitEchoEvent(String event) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!echo.events.contains(event)) {
      assertThat(System.nanoTime()).as("echo server event " + event).isLessThan(deadline);
      Thread.sleep(5);
    }
    echo.events.remove(event);
  }

  /** TLS 1.3 lets a client finish before the server checks its certificate: either fails. */
  private static void assertHandshakeRefused(SslContext ctx) throws Exception {
    RawH2Client c;
    try {
      c = RawH2Client.connect(egret.port("connect_terminate"), ctx);
    } catch (Exception expected) {
      return;
    }
    try (c) {
      RawH2Client.Stream s = c.open(connect("10.0.0.9:80"), false);
      assertThat(c.awaitConnectionEvent()).isEqualTo("closed");
      assertThat(s.frames).noneMatch(f -> f.startsWith("headers:"));
    } catch (Exception expected) {
      // the stream could not even be opened on the closed connection
    }
  }
}
