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
 * Internal listeners as Istio's waypoint uses them: a cluster whose endpoint is an
 * {@code envoy_internal_address} reaches a listener with {@code internal_listener: {}} in process,
 * over HTTP/1.1 and HTTP/2, with the host's metadata passed through by {@code internal_upstream}.
 */
class InternalListenerIntegrationTest {
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
                        inline_string: "front %REQ(:AUTHORITY)% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_HOST% %UPSTREAM_TRANSPORT_FAILURE_REASON%\\n"
                route_config:
                  virtual_hosts:
                  - name: h1
                    domains: ["h1.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: to_internal_h1 } }]
                  - name: h2
                    domains: ["h2.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: to_internal_h2 } }]
                  - name: missing
                    domains: ["missing.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: to_missing } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: main_internal
          internal_listener: {}
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: main_internal
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "internal %REQ(:AUTHORITY)% %PROTOCOL% %RESPONSE_CODE% %UPSTREAM_CLUSTER%\\n"
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: backend } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: to_internal_h1
          type: STATIC
          transport_socket:
            name: internal_upstream
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport
              passthrough_metadata: [{ kind: { host: {} }, name: envoy.filters.listener.original_dst }]
              transport_socket:
                name: raw_buffer
                typed_config: { "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer }
          load_assignment:
            cluster_name: to_internal_h1
            endpoints:
            - lb_endpoints:
              - endpoint:
                  address: { envoy_internal_address: { server_listener_name: main_internal, endpoint_id: "10.1.2.3:80" } }
                  health_check_config: {}
                health_status: HEALTHY
                metadata: { filter_metadata: { envoy.filters.listener.original_dst: { local: "10.1.2.3:80" } } }
        - name: to_internal_h2
          type: STATIC
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: { http2_protocol_options: {} }
          load_assignment:
            cluster_name: to_internal_h2
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { envoy_internal_address: { server_listener_name: main_internal } } } }] }]
        - name: to_missing
          type: STATIC
          load_assignment:
            cluster_name: to_missing
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { envoy_internal_address: { server_listener_name: nobody } } } }] }]
        - name: backend
          type: STATIC
          load_assignment:
            cluster_name: backend
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("backend");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  @Test
  void http1RequestCrossesTheInternalListenerToTheBackend() throws Exception {
    HttpResponse<String> r = egret.get("front", "h1.test", "/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("/hello");
    assertThat(egret.awaitLogLineStartingWith("internal h1.test")).isEqualTo("internal h1.test HTTP/1.1 200 backend");
    assertThat(egret.awaitLogLineStartingWith("front h1.test"))
        .isEqualTo("front h1.test 200 - envoy://main_internal/10.1.2.3:80 -");
  }

  @Test
  void http2UpstreamToAnInternalListenerMultiplexes() throws Exception {
    HttpResponse<String> r = egret.get("front", "h2.test", "/two");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(egret.awaitLogLineStartingWith("internal h2.test")).isEqualTo("internal h2.test HTTP/2 200 backend");
  }

  @Test
  void largeBodiesStreamThroughBothWays() throws Exception {
    int size = 8 * 1024 * 1024;
    HttpResponse<String> down = egret.get("front", "h1.test", "/download/" + size);
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.body()).hasSize(size);
    HttpResponse<String> up = egret.send("front", "h1.test", "POST", "/upload",
        java.net.http.HttpRequest.BodyPublishers.ofString("x".repeat(size)), Map.of());
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.body()).contains(Integer.toString(size));
  }

  @Test
  void aMissingInternalListenerIsAConnectFailure() throws Exception {
    HttpResponse<String> r = egret.get("front", "missing.test", "/");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(egret.awaitLogLineStartingWith("front missing.test")).startsWith("front missing.test 503 UF envoy://nobody/");
  }

  @Test
  void clustersShowInternalHosts() throws Exception {
    assertThat(egret.admin("/clusters").body()).contains("to_internal_h1::envoy://main_internal/10.1.2.3:80::");
  }
}
