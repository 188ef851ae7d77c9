package dev.egret.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ORIGINAL_DST clusters: the destination comes from the request's header, or (Istio's
 * {@code connect_originate} way) from dynamic metadata an {@code internal_upstream} passed through
 * from the chosen endpoint, with {@code upstream_port_override} replacing the port.
 */
class OriginalDstIntegrationTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: front
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: front
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "front %REQ(:AUTHORITY)% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_HOST%\\n"
                route_config:
                  virtual_hosts:
                  - name: by_header
                    domains: ["header.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: by_header } }]
                  - name: by_metadata
                    domains: ["metadata.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: to_originate } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: originate
          internal_listener: {}
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: originate
                cluster: by_metadata
                access_log_options: { flush_access_log_on_connected: true } # the pooled connection stays open
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "originate %UPSTREAM_CLUSTER% %UPSTREAM_HOST% %RESPONSE_FLAGS%\\n"
        clusters:
        - name: by_header
          type: ORIGINAL_DST
          lb_policy: CLUSTER_PROVIDED
          original_dst_lb_config: { use_http_header: true, upstream_port_override: ${UP} }
        - name: to_originate
          type: STATIC
          transport_socket:
            name: internal_upstream
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport
              passthrough_metadata: [{ kind: { host: {} }, name: envoy.filters.listener.original_dst }]
          load_assignment:
            cluster_name: to_originate
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { envoy_internal_address: { server_listener_name: originate, endpoint_id: "127.0.0.1:${UP}" } } }
                metadata: { filter_metadata: { envoy.filters.listener.original_dst: { local: "127.0.0.1:${UP}" } } }
        - name: by_metadata
          type: ORIGINAL_DST
          lb_policy: CLUSTER_PROVIDED
          cleanup_interval: 60s
          original_dst_lb_config:
            metadata_key: { key: envoy.filters.listener.original_dst, path: [{ key: local }] }
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("original");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  @Test
  void theHeaderNamesTheDestinationAndThePortIsOverridden() throws Exception {
    HttpResponse<String> r = egret.send("front", "header.test", "GET", "/x",
        java.net.http.HttpRequest.BodyPublishers.noBody(), Map.of("x-envoy-original-dst-host", "127.0.0.1:1"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(egret.awaitLogLineStartingWith("front header.test"))
        .isEqualTo("front header.test 200 - 127.0.0.1:" + upstream.port());
  }

  @Test
  void withoutAUsableDestinationThereIsNoHealthyUpstream() throws Exception {
    HttpResponse<String> r = egret.send("front", "header.test", "GET", "/y",
        java.net.http.HttpRequest.BodyPublishers.noBody(), Map.of("x-envoy-original-dst-host", "not-an-ip:80"));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(egret.awaitLogLine(l -> l.startsWith("front header.test 503"), "503 line")).contains(" UH ");
  }

  @Test
  void metadataPassedThroughAnInternalListenerPicksTheDestination() throws Exception {
    HttpResponse<String> r = egret.get("front", "metadata.test", "/through");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("/through");
    assertThat(egret.awaitLogLineStartingWith("originate "))
        .isEqualTo("originate by_metadata 127.0.0.1:" + upstream.port() + " -");
    assertThat(egret.admin("/clusters").body()).contains("by_metadata::127.0.0.1:" + upstream.port() + "::");
  }
}
