package dev.egret.filters.setfilterstate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's waypoint hand-off without HBONE: a front listener's network {@code set_filter_state} puts
 * the original destination, source and caller into filter state shared with the upstream
 * ({@code ONCE}), {@code tcp_proxy} carries the connection into the internal listener
 * {@code main_internal}, whose {@code original_dst} listener filter restores the addresses from that
 * state, {@code http_inspector} detects HTTP/1.1, and the unified {@code filter_chain_matcher}
 * (destination IP → port → application protocol) picks the chain by name; the access log there shows
 * the restored addresses and the shared principal.
 */
class WaypointInternalChainEndToEndTest {
  static final String P = "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.";
  static final String SV = "type.googleapis.com/google.protobuf.StringValue";
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: front
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: connect_authority
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config
                on_new_connection:
                - object_key: envoy.filters.listener.original_dst.local_ip
                  format_string: { text_format_source: { inline_string: "10.96.0.10:8080" } }
                  shared_with_upstream: ONCE
                - object_key: envoy.filters.listener.original_dst.remote_ip
                  format_string: { text_format_source: { inline_string: "%DOWNSTREAM_REMOTE_ADDRESS%" } }
                  shared_with_upstream: ONCE
                - object_key: io.istio.peer_principal
                  factory_key: istio.hashable_string
                  format_string: { text_format_source: { inline_string: "spiffe://cluster.local/ns/a/sa/caller" } }
                  shared_with_upstream: ONCE
                - object_key: stays.here
                  factory_key: envoy.string
                  format_string: { text_format_source: { inline_string: "local only" } }
            - name: envoy.filters.network.tcp_proxy
              typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: front, cluster: main_internal }
        - name: main_internal
          internal_listener: {}
          listener_filters:
          - name: envoy.filters.listener.original_dst
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst }
          - name: envoy.filters.listener.http_inspector
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector }
          filter_chain_matcher:
            matcher_tree:
              input: { name: ip, typed_config: { "@type": "${P}DestinationIPInput" } }
              custom_match:
                name: ip
                typed_config:
                  "@type": type.googleapis.com/xds.type.matcher.v3.IPMatcher
                  range_matchers:
                  - ranges: [ { address_prefix: 10.96.0.10, prefix_len: 32 } ]
                    on_match:
                      matcher:
                        matcher_tree:
                          input: { name: port, typed_config: { "@type": "${P}DestinationPortInput" } }
                          exact_match_map:
                            map:
                              "8080":
                                matcher:
                                  matcher_tree:
                                    input: { name: proto, typed_config: { "@type": "${P}ApplicationProtocolInput" } }
                                    exact_match_map:
                                      map:
                                        "'http/1.1'": { action: { name: http, typed_config: { "@type": "${SV}", value: "inbound-vip|8080|http|svc.ns.svc.cluster.local" } } }
          filter_chains:
          - name: "inbound-vip|8080|http|svc.ns.svc.cluster.local"
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: inbound_0.0.0.0_8080
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "local=%DOWNSTREAM_LOCAL_ADDRESS% remote=%DOWNSTREAM_REMOTE_ADDRESS% peer=%FILTER_STATE(io.istio.peer_principal:PLAIN)% stays=%FILTER_STATE(stays.here:PLAIN)%\\n" }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [ { match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "main_internal" } } } ]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: main_internal
          type: STATIC
          load_assignment:
            cluster_name: main_internal
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { envoy_internal_address: { server_listener_name: main_internal } } } }] }]
      """;

  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    egret = new EgretHarness(CONFIG, Map.of("P", P, "SV", SV));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
  }

  @Test
  void originalDstRestoresSharedAddressesAndTheUnifiedMatcherPicksTheHttpChain() throws Exception {
    HttpResponse<String> r = egret.get("front", "svc.ns.svc.cluster.local", "/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("main_internal");
    List<String> lines = egret.awaitLogLines(1);
    assertThat(lines.get(0)).matches("local=10\\.96\\.0\\.10:8080 remote=127\\.0\\.0\\.1:\\d+ "
        + "peer=spiffe://cluster\\.local/ns/a/sa/caller stays=-");
  }
}
