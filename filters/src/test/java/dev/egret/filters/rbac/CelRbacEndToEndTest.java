package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CEL RBAC through a real listener, laid out as kgateway lays it out: an empty {@code RBAC {}} in
 * the connection manager, and per-route {@code RBACPerRoute} matcher trees whose CEL predicates are
 * parsed expressions (type-checked by Egret) — on the route configuration (deny {@code x-foo: bar})
 * and on one route (allow only {@code x-user: alice}, as a {@code cel_expr_checked}). Another route
 * uses {@code rules} with a policy {@code condition} and a {@code shadow_matcher}.
 */
class CelRbacEndToEndTest {
  static final String HEADER_EQUALS = """
      {cel_expr_parsed: {expr: {id: 4, call_expr: {function: _==_, args: [
        {id: 3, call_expr: {function: "_[_]", args: [
          {id: 2, select_expr: {field: headers, operand: {id: 1, ident_expr: {name: request}}}},
          {id: 5, const_expr: {string_value: "NAME"}}]}},
        {id: 6, const_expr: {string_value: "VALUE"}}]}}}}""";

  static String headerEquals(String form, String name, String value) {
    return HEADER_EQUALS.replace("cel_expr_parsed", form).replace("NAME", name).replace("VALUE", value)
        .replace("\n", " ");
  }

  static String action(String name, String action) {
    return "{name: envoy.filters.rbac.action, typed_config: {'@type': type.googleapis.com/envoy.config.rbac.v3.Action, "
        + "name: " + name + (action == null ? "" : ", action: " + action) + "}}";
  }

  static String celMatcher(String expr, String onMatch, String onNoMatch) {
    return "{matcher_list: {matchers: [{on_match: {action: " + onMatch + "}, predicate: {single_predicate: {"
        + "input: {name: envoy.matching.inputs.cel_data_input, typed_config: {'@type': "
        + "type.googleapis.com/xds.type.matcher.v3.HttpAttributesCelMatchInput}}, "
        + "custom_match: {name: envoy.matching.matchers.cel_matcher, typed_config: {'@type': "
        + "type.googleapis.com/xds.type.matcher.v3.CelMatcher, expr_match: " + expr + "}}}}}]}, "
        + "on_no_match: {action: " + onNoMatch + "}}";
  }

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
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS%\\n" }
                http_filters:
                - name: envoy.filters.http.rbac
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  typed_per_filter_config:
                    envoy.filters.http.rbac:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                      rbac: { matcher: GATEWAY }
                  virtual_hosts:
                  - name: vh
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/alice" }
                      route: { cluster: up }
                      typed_per_filter_config:
                        envoy.filters.http.rbac:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                          rbac: { matcher: ROUTE }
                    - match: { prefix: "/get-only" }
                      route: { cluster: up }
                      typed_per_filter_config:
                        envoy.filters.http.rbac:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                          rbac:
                            rules:
                              policies:
                                get-on-loopback:
                                  permissions: [ { any: true } ]
                                  principals: [ { any: true } ]
                                  condition:
                                    id: 5
                                    call_expr:
                                      function: _&&_
                                      args:
                                      - { id: 3, call_expr: { function: _==_, args: [ { id: 2, select_expr: { field: method, operand: { id: 1, ident_expr: { name: request } } } }, { id: 4, const_expr: { string_value: GET } } ] } }
                                      - { id: 8, call_expr: { function: startsWith, target: { id: 7, select_expr: { field: address, operand: { id: 6, ident_expr: { name: source } } } }, args: [ { id: 9, const_expr: { string_value: "127." } } ] } }
                            shadow_matcher: SHADOW
                    - match: { prefix: "/" }
                      route: { cluster: up }
        clusters:
        - name: up
          type: STATIC
          load_assignment:
            cluster_name: up
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """
      .replace("GATEWAY", celMatcher(headerEquals("cel_expr_parsed", "x-foo", "bar"), action("deny-request", "DENY"),
          action("allow-request", null)))
      .replace("ROUTE", celMatcher(headerEquals("cel_expr_checked", "x-user", "alice"),
          action("allow-request", null), action("deny-request", "DENY")))
      .replace("SHADOW", celMatcher(headerEquals("cel_expr_parsed", "x-shadow", "deny"),
          action("shadow-deny", "DENY"), action("shadow-allow", null)));

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  private static HttpResponse<String> send(String method, String path, Map<String, String> headers) throws Exception {
    return egret.send("main", "example.com", method, path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  @Test
  void routeConfigurationCelMatcherDeniesXFooBar() throws Exception {
    assertThat(send("GET", "/open", Map.of()).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = send("GET", "/denied", Map.of("x-foo", "bar"));
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).isEqualTo("RBAC: access denied");
    assertThat(egret.awaitLogLineStartingWith("/denied "))
        .isEqualTo("/denied 403 rbac_access_denied_matched_policy[deny-request]");
    assertThat(upstream.requests()).noneMatch(q -> q.uri().equals("/denied"));
  }

  @Test
  void theRoutesOwnCheckedExpressionReplacesTheRouteConfigurations() throws Exception {
    assertThat(send("GET", "/alice/1", Map.of("x-user", "alice", "x-foo", "bar")).statusCode())
        .as("the route's matcher is the most specific; the gateway's x-foo rule does not apply").isEqualTo(200);
    assertThat(send("GET", "/alice/2", Map.of("x-user", "bob")).statusCode()).isEqualTo(403);
    assertThat(egret.awaitLogLineStartingWith("/alice/2 "))
        .isEqualTo("/alice/2 403 rbac_access_denied_matched_policy[deny-request]");
  }

  @Test
  void policyConditionAndShadowMatcher() throws Exception {
    assertThat(send("GET", "/get-only", Map.of("x-shadow", "deny")).statusCode()).isEqualTo(200);
    HttpResponse<String> post = send("POST", "/get-only", Map.of());
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(egret.awaitLogLineStartingWith("/get-only 403"))
        .isEqualTo("/get-only 403 rbac_access_denied_matched_policy[none]");
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).containsPattern("envoy_http_rbac_shadow_denied\\{envoy_http_conn_manager_prefix=\"main\"} [1-9]");
    assertThat(prom).containsPattern("envoy_http_rbac_shadow_allowed\\{envoy_http_conn_manager_prefix=\"main\"} [1-9]");
  }
}
