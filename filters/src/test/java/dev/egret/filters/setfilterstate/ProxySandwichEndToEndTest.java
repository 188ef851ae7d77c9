package dev.egret.filters.setfilterstate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kgateway's PROXY-protocol "sandwich" waypoint (hbone.md §13) through a real listener: ztunnel's
 * PROXY v2 header with the caller's SPIFFE id in TLV 0xD0 is read by the {@code proxy_protocol}
 * listener filter (rule 208 → metadata {@code peer_principal}), copied to
 * {@code io.istio.peer_principal} by the network {@code set_filter_state} filter exactly as kgateway
 * configures it ({@code proxy_protocol_authority}), matched by RBAC's
 * {@code filter_state} principal and {@code source_ip}, and printed by the access log together with
 * the header's addresses.
 */
class ProxySandwichEndToEndTest {
  static final String ALLOWED = "spiffe://cluster.local/ns/a/sa/allowed";
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: proxy_protocol_inbound
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          listener_filters:
          - name: envoy.filters.listener.proxy_protocol
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol
              rules: [ { tlv_type: 208, on_tlv_present: { key: peer_principal } } ]
          filter_chains:
          - name: fc_http_8080_svc
            filter_chain_match:
              destination_port: 8080
              prefix_ranges: [ { address_prefix: 10.96.0.10, prefix_len: 32 } ]
            filters:
            - name: proxy_protocol_authority
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config
                on_new_connection:
                - factory_key: envoy.string
                  format_string:
                    text_format_source: { inline_string: "%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:peer_principal)%" }
                  object_key: io.istio.peer_principal
                  shared_with_upstream: ONCE
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: sandwich
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "%RESPONSE_CODE% remote=%DOWNSTREAM_REMOTE_ADDRESS% local=%DOWNSTREAM_LOCAL_ADDRESS% direct=%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% peer=%FILTER_STATE(io.istio.peer_principal:PLAIN)% tlv=%DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:peer_principal)%\\n" }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [ { match: { prefix: "/" }, route: { cluster: svc } } ]
                http_filters:
                - name: envoy.filters.http.rbac
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                    rules:
                      action: ALLOW
                      policies:
                        allowed-caller-from-pods:
                          permissions: [ { any: true } ]
                          principals:
                          - and_ids:
                              ids:
                              - filter_state: { key: io.istio.peer_principal, string_match: { exact: "${ALLOWED}" } }
                              - source_ip: { address_prefix: 10.0.0.0, prefix_len: 8 }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: svc
          type: STATIC
          load_assignment:
            cluster_name: svc
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("svc");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "ALLOWED", ALLOWED));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  /** ztunnel's header: PROXY, TCP over IPv4, with TLV 0xD0 when {@code spiffe} is not null. */
  static byte[] proxyV2(String src, int sport, String dst, int dport, String spiffe) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11});
    byte[] id = spiffe == null ? new byte[0] : spiffe.getBytes(StandardCharsets.UTF_8);
    int len = 12 + (spiffe == null ? 0 : 3 + id.length);
    b.write(len >> 8);
    b.write(len);
    b.writeBytes(NetUtil.createByteArrayFromIpAddressString(src));
    b.writeBytes(NetUtil.createByteArrayFromIpAddressString(dst));
    b.write(sport >> 8);
    b.write(sport);
    b.write(dport >> 8);
    b.write(dport);
    if (spiffe != null) {
      b.write(0xD0);
      b.write(id.length >> 8);
      b.write(id.length);
      b.writeBytes(id);
    }
    return b.toByteArray();
  }

  /** Sends {@code header} and a GET on one connection; returns everything read until Egret closes. */
  static String exchange(byte[] header) throws Exception {
    try (Socket s = new Socket("127.0.0.1", egret.port("proxy_protocol_inbound"))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(header);
      out.write("GET /hello HTTP/1.1\r\nHost: svc.ns.svc.cluster.local\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void spiffeIdFromTlvD0IsThePeerPrincipalForRbacAndTheLog() throws Exception {
    String allowed = exchange(proxyV2("10.1.2.3", 40000, "10.96.0.10", 8080, ALLOWED));
    assertThat(allowed).startsWith("HTTP/1.1 200").contains("svc GET /hello");

    String other = exchange(proxyV2("10.1.2.4", 40001, "10.96.0.10", 8080, "spiffe://cluster.local/ns/b/sa/other"));
    assertThat(other).startsWith("HTTP/1.1 403").endsWith("RBAC: access denied");

    String noIdentity = exchange(proxyV2("10.1.2.5", 40002, "10.96.0.10", 8080, null));
    assertThat(noIdentity).as("a missing 0xD0 is no authenticated principal").startsWith("HTTP/1.1 403");

    String outsideSource = exchange(proxyV2("192.168.1.1", 40003, "10.96.0.10", 8080, ALLOWED));
    assertThat(outsideSource).as("source_ip sees the PROXY source").startsWith("HTTP/1.1 403");

    List<String> lines = egret.awaitLogLines(4); // connections end in any order
    assertThat(lines).contains("200 remote=10.1.2.3:40000 local=10.96.0.10:8080 direct=127.0.0.1 peer="
        + ALLOWED + " tlv=" + ALLOWED);
    assertThat(lines).contains("403 remote=10.1.2.4:40001 local=10.96.0.10:8080 direct=127.0.0.1 "
        + "peer=spiffe://cluster.local/ns/b/sa/other tlv=spiffe://cluster.local/ns/b/sa/other");
    assertThat(lines).contains("403 remote=10.1.2.5:40002 local=10.96.0.10:8080 direct=127.0.0.1 peer=- tlv=-");
    assertThat(lines).contains("403 remote=192.168.1.1:40003 local=10.96.0.10:8080 direct=127.0.0.1 peer="
        + ALLOWED + " tlv=" + ALLOWED);
    assertThat(upstream.requests()).hasSize(1);
  }

  @Test
  void headerForAnotherDestinationMatchesNoChainAndAMalformedHeaderIsClosed() throws Exception {
    assertThat(exchange(proxyV2("10.1.2.3", 40000, "10.96.0.11", 8080, ALLOWED))).isEmpty();
    byte[] bad = proxyV2("10.1.2.3", 40000, "10.96.0.10", 8080, ALLOWED);
    bad[12] = 0x2F; // command 15
    assertThat(exchange(bad)).isEmpty();
    assertThat(exchange(new byte[0])).as("no header at all").isEmpty();
    String stats = egret.admin("/stats/prometheus").body();
    assertThat(stats).contains("envoy_proxy_proto_versions_v2_error 1")
        .contains("envoy_proxy_proto_not_found_disallowed 1");
  }
}
