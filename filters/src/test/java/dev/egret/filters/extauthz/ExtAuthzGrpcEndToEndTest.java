package dev.egret.filters.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.H2cClient;
import dev.egret.core.testing.RefusedPort;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC ext_authz filter through real listeners, against a real authorization server
 * ({@link TestAuthzServer}, S1's Kyverno-style policy) behind a static cluster: allow with header
 * changes, deny with the server's status, headers and body, fail closed and fail open when the server
 * is down, the timeout, per-route disabling and context extensions, and what the CheckRequest carries.
 */
class ExtAuthzGrpcEndToEndTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: main
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: main
                access_log: &log
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "%REQ(:METHOD)% %REQ(:AUTHORITY)%%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/open" }
                      route: { cluster: upstream }
                      typed_per_filter_config:
                        envoy.filters.http.ext_authz:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute
                          disabled: true
                    - match: { prefix: "/ctx" }
                      route: { cluster: upstream }
                      typed_per_filter_config:
                        envoy.filters.http.ext_authz:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute
                          check_settings: { context_extensions: { tenant: blue, route: ctx } }
                    - match: { prefix: "/" }
                      route: { cluster: upstream }
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    transport_api_version: V3
                    grpc_service:
                      envoy_grpc: { cluster_name: authz, authority: authz.example }
                      timeout: 5s
                    disallowed_headers: { patterns: [ { exact: x-secret } ] }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: closed
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: closed
                access_log: *log
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    grpc_service: { envoy_grpc: { cluster_name: authz_down } }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: open
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: open
                access_log: *log
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    grpc_service: { envoy_grpc: { cluster_name: authz_down } }
                    failure_mode_allow: true
                    failure_mode_allow_header_add: true
                    status_on_error: { code: ServiceUnavailable }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: gated
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: gated
                access_log: *log
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    grpc_service: { envoy_grpc: { cluster_name: authz } }
                    filter_enabled: { default_value: { numerator: 0 }, runtime_key: ext_authz.enabled }
                    deny_at_disable: { default_value: true, runtime_key: ext_authz.deny }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: short
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: short
                access_log: *log
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    grpc_service: { envoy_grpc: { cluster_name: authz }, timeout: 0.3s }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        - name: two
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: two
                codec_type: HTTP2
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: ext_authz/first
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    stat_prefix: first
                    grpc_service: { envoy_grpc: { cluster_name: authz }, timeout: 5s }
                - name: ext_authz/second
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    stat_prefix: second
                    grpc_service: { google_grpc: { target_uri: "127.0.0.1:${AUTHZ}", stat_prefix: authz }, timeout: 5s }
                    filter_enabled_metadata:
                      filter: envoy.filters.http.ext_authz
                      path: [ { key: user } ]
                      value: { string_match: { exact: alice } }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: upstream
          type: STATIC
          load_assignment:
            cluster_name: upstream
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: authz
          type: STATIC
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: { http2_protocol_options: {} }
          load_assignment:
            cluster_name: authz
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${AUTHZ} } } } }] }]
        - name: authz_down
          type: STATIC
          load_assignment:
            cluster_name: authz_down
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${DOWN} } } } }] }]
      """;

  static DemoUpstream upstream;
  static TestAuthzServer authz;
  static RefusedPort down;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up");
    authz = new TestAuthzServer();
    down = new RefusedPort();
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "AUTHZ", authz.port(), "DOWN", down.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    authz.close();
    down.close();
    upstream.close();
  }

  @BeforeEach
  void forgetChecks() {
    authz.checks.clear();
  }

  HttpResponse<String> get(String listener, String path, Map<String, String> headers) throws Exception {
    return egret.send(listener, "api.example.com", "GET", path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  DemoUpstream.RecordedRequest upstreamSaw(String path) {
    return upstream.requests().stream().filter(r -> r.uri().equals(path)).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void allowedRequestReachesUpstreamWithTheServersHeaderChanges() throws Exception {
    HttpResponse<String> r = get("main", "/allowed?x=1", Map.of("x-force-authorized", "true",
        "x-remove-me", "gone", "x-append-me", "client"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-authz-decision")).contains("allowed");
    DemoUpstream.RecordedRequest seen = upstreamSaw("/allowed?x=1");
    assertThat(seen.headers().get("x-authz-user")).isEqualTo("alice");
    assertThat(seen.headers().get("x-append-me")).isEqualTo("client,from-authz");
    assertThat(seen.headers().contains("x-remove-me")).isFalse();
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/allowed"))
        .isEqualTo("GET api.example.com/allowed?x=1 200 - via_upstream");
  }

  @Test
  void kyvernoStyleEnabledValueAlsoAllows() throws Exception {
    assertThat(get("main", "/enabled", Map.of("x-force-authorized", "enabled")).statusCode()).isEqualTo(200);
    assertThat(get("main", "/nope", Map.of("x-force-authorized", "false")).statusCode()).isEqualTo(403);
  }

  @Test
  void deniedRequestGetsDefault403AndTheServersBodyAndNeverReachesUpstream() throws Exception {
    HttpResponse<String> r = get("main", "/denied", Map.of());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("denied by policy");
    assertThat(upstream.requests()).noneMatch(q -> q.uri().equals("/denied"));
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/denied"))
        .isEqualTo("GET api.example.com/denied 403 UAEX ext_authz_denied");
  }

  @Test
  void deniedResponseCarriesTheServersStatusHeadersAndBody() throws Exception {
    HttpResponse<String> r = get("main", "/custom", Map.of("x-deny-custom", "1"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"reason\":\"custom\"}");
    assertThat(r.headers().firstValue("x-denied-by")).contains("test-authz");
    assertThat(r.headers().allValues("set-cookie")).containsExactly("a=1", "b=2");
    assertThat(r.headers().allValues("content-type")).containsExactly("application/json");
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/custom"))
        .isEqualTo("GET api.example.com/custom 401 UAEX ext_authz_denied");
  }

  @Test
  void serverDownFailsClosedWith403EmptyBodyAndUaex() throws Exception {
    HttpResponse<String> r = get("closed", "/down", Map.of("x-force-authorized", "true"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEmpty();
    assertThat(upstream.requests()).noneMatch(q -> q.uri().equals("/down"));
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/down"))
        .isEqualTo("GET api.example.com/down 403 UAEX ext_authz_error");
    assertThat(egret.admin("/stats/prometheus").body())
        .containsPattern("envoy_http_ext_authz_error\\{envoy_http_conn_manager_prefix=\"closed\"} [1-9]");
  }

  @Test
  void serverDownWithFailureModeAllowPassesAndMarksTheRequest() throws Exception {
    HttpResponse<String> r = get("open", "/failopen", Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(upstreamSaw("/failopen").headers().get("x-envoy-auth-failure-mode-allowed")).isEqualTo("true");
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/failopen"))
        .isEqualTo("GET api.example.com/failopen 200 - via_upstream");
    assertThat(egret.admin("/stats/prometheus").body())
        .containsPattern("envoy_http_ext_authz_failure_mode_allowed\\{envoy_http_conn_manager_prefix=\"open\"} [1-9]");
  }

  @Test
  void serverSlowerThanTheTimeoutIsAnError() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = get("short", "/slow", Map.of("x-force-authorized", "true", "x-slow", "3000"));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(tookMs).as("answered at the 0.3 s timeout, not after the server's 3 s").isLessThan(2500);
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/slow"))
        .isEqualTo("GET api.example.com/slow 403 UAEX ext_authz_error");
  }

  @Test
  void disabledFilterWithDenyAtDisableRefusesWithoutCalling() throws Exception {
    HttpResponse<String> r = get("gated", "/off", Map.of("x-force-authorized", "true"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(authz.checks).isEmpty();
    assertThat(egret.awaitLogLineStartingWith("GET api.example.com/off"))
        .isEqualTo("GET api.example.com/off 403 UAEX ext_authz_error");
    assertThat(egret.admin("/stats/prometheus").body())
        .containsPattern("envoy_http_ext_authz_disabled\\{envoy_http_conn_manager_prefix=\"gated\"} 1");
  }

  @Test
  void perRouteDisabledSkipsTheCheck() throws Exception {
    assertThat(get("main", "/open/x", Map.of()).statusCode()).isEqualTo(200);
    assertThat(authz.checks).isEmpty();
  }

  @Test
  void checkRequestCarriesRequestAttributesAndRouteContextExtensions() throws Exception {
    HttpResponse<String> r = get("main", "/ctx/items?q=1", Map.of("x-force-authorized", "true",
        "x-multi", "v", "x-secret", "hunter2"));
    assertThat(r.statusCode()).isEqualTo(200);
    CheckRequest check = authz.checks.poll(5, TimeUnit.SECONDS);
    assertThat(check).isNotNull();
    AttributeContext a = check.getAttributes();
    AttributeContext.HttpRequest http = a.getRequest().getHttp();
    assertThat(http.getMethod()).isEqualTo("GET");
    assertThat(http.getPath()).isEqualTo("/ctx/items?q=1");
    assertThat(http.getHost()).isEqualTo("api.example.com");
    assertThat(http.getScheme()).isEqualTo("http");
    assertThat(http.getProtocol()).isEqualTo("HTTP/1.1");
    assertThat(http.getId()).isNotEmpty();
    assertThat(http.getHeadersMap()).containsEntry(":authority", "api.example.com")
        .containsEntry(":method", "GET").containsEntry(":path", "/ctx/items?q=1")
        .containsEntry("x-multi", "v").containsKey("x-request-id")
        .doesNotContainKey("x-secret").doesNotContainKey("host");
    assertThat(a.getContextExtensionsMap()).containsExactlyInAnyOrderEntriesOf(Map.of("tenant", "blue", "route", "ctx"));
    assertThat(a.getSource().getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
    assertThat(a.getDestination().getAddress().getSocketAddress().getPortValue()).isEqualTo(egret.port("main"));
    assertThat(a.getRequest().getTime().getSeconds()).isPositive();
  }

  @Test
  void twoProvidersOnOneHttp2ChainRunInOrderAndTheSecondSeesTheFirstsHeadersAndMetadata() throws Exception {
    H2cClient.Response r;
    try (H2cClient h2 = new H2cClient(egret.port("two"))) {
      r = h2.get("api.example.com", "/h2-allowed/twice");
    }
    assertThat(r.status()).isEqualTo(200);
    CheckRequest first = authz.checks.poll(5, TimeUnit.SECONDS);
    CheckRequest second = authz.checks.poll(5, TimeUnit.SECONDS);
    assertThat(first.getAttributes().getRequest().getHttp().getHeadersMap()).doesNotContainKey("x-authz-user");
    assertThat(second.getAttributes().getRequest().getHttp().getHeadersMap()).containsEntry("x-authz-user", "alice");
    assertThat(second.getAttributes().getRequest().getHttp().getProtocol()).isEqualTo("HTTP/2");
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).containsPattern("envoy_http_ext_authz_first_ok\\{envoy_http_conn_manager_prefix=\"two\"} 1")
        .containsPattern("envoy_http_ext_authz_second_ok\\{envoy_http_conn_manager_prefix=\"two\"} 1");
  }

  @Test
  void statsCountDecisionsUnderTheConnectionManagersPrefix() throws Exception {
    get("main", "/count-ok", Map.of("x-force-authorized", "true"));
    get("main", "/count-denied", Map.of());
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).containsPattern("envoy_http_ext_authz_ok\\{envoy_http_conn_manager_prefix=\"main\"} [1-9]");
    assertThat(prom).containsPattern("envoy_http_ext_authz_denied\\{envoy_http_conn_manager_prefix=\"main\"} [1-9]");
  }
}
