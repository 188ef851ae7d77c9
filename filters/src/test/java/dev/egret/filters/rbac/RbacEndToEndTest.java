package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario S2's AuthorizationPolicy as istiod compiles it (ALLOW: host httpbin.org, method GET, path
 * /get), through a real listener: the RBAC filter is found by its type URL, GET /get reaches the
 * upstream, POST /post is answered 403 {@code RBAC: access denied} and never forwarded, and path
 * tricks normalised by the connection manager cannot reach /post.
 */
class RbacEndToEndTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: egress
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: egress
                normalize_path: true
                merge_slashes: true
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" }
                route_config:
                  virtual_hosts:
                  - name: open
                    domains: ["open.example"]
                    typed_per_filter_config:
                      envoy.filters.http.rbac:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                    routes: [{ match: { prefix: "/" }, route: { cluster: httpbin } }]
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/writes" }
                      route: { cluster: httpbin }
                      typed_per_filter_config:
                        envoy.filters.http.rbac:
                          "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig
                          config:
                            "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                            rbac:
                              rules:
                                policies:
                                  posts-only:
                                    permissions: [ { header: { name: ":method", string_match: { exact: POST } } } ]
                                    principals: [ { any: true } ]
                    - match: { prefix: "/" }
                      route: { cluster: httpbin }
                http_filters:
                - name: envoy.filters.http.rbac
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                    rules:
                      policies:
                        ns[egress]-policy[httpbin-get-only]-rule[0]:
                          permissions:
                          - and_rules:
                              rules:
                              - or_rules: { rules: [ { header: { name: ":authority", string_match: { exact: httpbin.org, ignore_case: true } } } ] }
                              - or_rules: { rules: [ { header: { name: ":method", string_match: { exact: GET } } } ] }
                              - or_rules: { rules: [ { url_path: { path: { exact: /get } } } ] }
                          principals: [ { and_ids: { ids: [ { any: true } ] } } ]
                    shadow_rules_stat_prefix: istio_dry_run_allow_
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: httpbin
          type: STATIC
          load_assignment:
            cluster_name: httpbin
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("httpbin");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  @Test
  void getGetIsAllowedAndPostPostIsDeniedWithRbacBody() throws Exception {
    HttpResponse<String> get = egret.get("egress", "httpbin.org", "/get");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).startsWith("httpbin GET /get");

    HttpResponse<String> post = egret.send("egress", "httpbin.org", "POST", "/post",
        HttpRequest.BodyPublishers.ofString("x"), Map.of());
    assertThat(post.statusCode()).isEqualTo(403);
    assertThat(post.body()).isEqualTo("RBAC: access denied");
    assertThat(upstream.requests()).noneMatch(q -> q.uri().equals("/post"));
    assertThat(egret.awaitLogLineStartingWith("POST /post "))
        .isEqualTo("POST /post 403 - rbac_access_denied_matched_policy[none]");
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).containsPattern("envoy_http_rbac_allowed\\{envoy_http_conn_manager_prefix=\"egress\"} [1-9]");
    assertThat(prom).containsPattern("envoy_http_rbac_denied\\{envoy_http_conn_manager_prefix=\"egress\"} [1-9]");
  }

  @Test
  void perRouteConfigDisablesOrReplacesThePolicy() throws Exception {
    HttpResponse<String> open = egret.send("egress", "open.example", "POST", "/anything",
        HttpRequest.BodyPublishers.ofString("x"), Map.of());
    assertThat(open.statusCode()).as("an empty RBACPerRoute on the virtual host turns RBAC off").isEqualTo(200);
    HttpResponse<String> post = egret.send("egress", "httpbin.org", "POST", "/writes",
        HttpRequest.BodyPublishers.ofString("x"), Map.of());
    assertThat(post.statusCode()).as("the route's own policy allows POST").isEqualTo(200);
    HttpResponse<String> get = egret.get("egress", "httpbin.org", "/writes");
    assertThat(get.statusCode()).as("...and only POST").isEqualTo(403);
    assertThat(egret.awaitLogLineStartingWith("GET /writes "))
        .isEqualTo("GET /writes 403 - rbac_access_denied_matched_policy[none]");
  }

  @Test
  void otherHostsAndMethodsAreDenied() throws Exception {
    assertThat(egret.get("egress", "example.com", "/get").statusCode()).isEqualTo(403);
    assertThat(egret.send("egress", "httpbin.org", "DELETE", "/get", HttpRequest.BodyPublishers.noBody(), Map.of())
        .statusCode()).isEqualTo(403);
  }

  @Test
  void normalisedPathTricksCannotReachPost() throws Exception {
    for (String trick : List.of("/get/../post", "//post", "/%2e%2e/post", "/GET")) {
      HttpResponse<String> r = egret.get("egress", "httpbin.org", trick);
      assertThat(r.statusCode()).as(trick).isIn(403, 400);
    }
    assertThat(upstream.requests()).noneMatch(q -> q.uri().contains("post") || q.uri().equals("/GET"));
  }
}
