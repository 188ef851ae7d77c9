package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RefusedPort;
import dev.egret.core.demo.DemoUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Plain HTTP through Egret end to end: real sockets on 127.0.0.1, a real upstream, real logs. */
class ProxyIntegrationTest {
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
                stat_prefix: egress_http
                server_name: egret-test
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:METHOD)% %REQ(:AUTHORITY)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% \\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\\" %UPSTREAM_CLUSTER% %UPSTREAM_HOST% %ROUTE_NAME%\\n"
                route_config:
                  name: routes
                  virtual_hosts:
                  - name: api
                    domains: ["api.example.com"]
                    routes:
                    - name: rewritten
                      match: { prefix: "/v1/" }
                      route: { cluster: upstream, prefix_rewrite: "/" }
                    - name: default
                      match: { prefix: "/" }
                      route: { cluster: upstream }
                  - name: dead
                    domains: ["dead.example.com"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: refused }
                  - name: empty
                    domains: ["empty.example.com"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: no_hosts }
                  - name: by_header
                    domains: ["header.example.com"]
                    routes:
                    - name: chosen
                      match: { prefix: "/" }
                      route: { cluster_header: x-target-cluster }
                  - name: direct
                    domains: ["direct.example.com"]
                    routes:
                    - name: hello
                      match: { path: "/hello" }
                      direct_response: { status: 200, body: { inline_string: "hi there" } }
                    - match: { prefix: "/old" }
                      redirect: { path_redirect: "/new", response_code: FOUND }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        clusters:
        - name: upstream
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: upstream
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UPSTREAM_PORT} } } }
        - name: refused
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: refused
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${CLOSED_PORT} } } }
        - name: no_hosts
          type: STATIC
          connect_timeout: 2s
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;
  static RefusedPort refused;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up1");
    refused = new RefusedPort();
    egret = new EgretHarness(CONFIG, Map.of("UPSTREAM_PORT", upstream.port(), "CLOSED_PORT", refused.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
    refused.close();
  }


  @Test
  void proxiesByHostAndAddsEnvoyHeaders() throws Exception {
    HttpResponse<String> r = egret.get("egress", "api.example.com", "/get?x=1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("up1 GET /get?x=1 HTTP/1.1");
    assertThat(r.headers().firstValue("server")).hasValue("egret-test");
    assertThat(r.headers().firstValue("x-envoy-upstream-service-time")).isPresent();
    DemoUpstream.RecordedRequest seen = upstream.requests().get(upstream.requests().size() - 1);
    assertThat(seen.headers().get("x-request-id")).matches("[0-9a-f-]{36}");
    assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.headers().get("host")).isEqualTo("api.example.com");
    assertThat(egret.awaitLogLineContaining("/get?x=1"))
        .isEqualTo("GET api.example.com /get?x=1 HTTP/1.1 200 - via_upstream \"-\" upstream 127.0.0.1:"
            + upstream.port() + " default");
  }

  @Test
  void prefixRewriteKeepsTheOriginalPathForTheLog() throws Exception {
    HttpResponse<String> r = egret.get("egress", "api.example.com", "/v1/items");
    assertThat(r.body()).isEqualTo("up1 GET /items HTTP/1.1");
    assertThat(egret.awaitLogLineContaining("/v1/items")).contains(" /v1/items HTTP/1.1 200 ").endsWith(" rewritten");
  }

  @Test
  void postBodyReachesTheUpstream() throws Exception {
    HttpResponse<String> r = egret.send("egress", "api.example.com", "POST", "/post",
        HttpRequest.BodyPublishers.ofString("hello body"), Map.of("content-type", "text/plain"));
    assertThat(r.body()).isEqualTo("up1 POST /post HTTP/1.1 body=hello body");
  }

  @Test
  void noRouteIs404WithFlagNr() throws Exception {
    HttpResponse<String> r = egret.get("egress", "unknown.example.com", "/nothing-here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
    assertThat(egret.awaitLogLineContaining("/nothing-here"))
        .isEqualTo("GET unknown.example.com /nothing-here HTTP/1.1 404 NR route_not_found \"-\" - - -");
  }

  @Test
  void connectionRefusedIs503UfWithTransportFailureReason() throws Exception {
    HttpResponse<String> r = egret.get("egress", "dead.example.com", "/refused");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: "
        + "remote connection failure, transport failure reason: delayed connect error: Connection refused");
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
    assertThat(egret.awaitLogLineContaining("/refused")).startsWith("GET dead.example.com /refused HTTP/1.1 503 UF "
        + "upstream_reset_before_response_started{remote_connection_failure|delayed_connect_error:_Connection_refused} "
        + "\"delayed connect error: Connection refused\" refused 127.0.0.1:");
  }

  @Test
  void clusterWithoutHostsIs503Uh() throws Exception {
    HttpResponse<String> r = egret.get("egress", "empty.example.com", "/uh");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("no healthy upstream");
    assertThat(egret.awaitLogLineContaining("/uh"))
        .isEqualTo("GET empty.example.com /uh HTTP/1.1 503 UH no_healthy_upstream \"-\" no_hosts - -");
  }

  @Test
  void clusterFromHeaderOr503NcWhenItNamesNone() throws Exception {
    HttpResponse<String> ok = egret.send("egress", "header.example.com", "GET", "/picked",
        HttpRequest.BodyPublishers.noBody(), Map.of("x-target-cluster", "upstream"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("up1 GET /picked HTTP/1.1");
    HttpResponse<String> none = egret.get("egress", "header.example.com", "/no-header");
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(none.body()).isEmpty();
    assertThat(egret.awaitLogLineContaining("/no-header"))
        .isEqualTo("GET header.example.com /no-header HTTP/1.1 503 NC cluster_not_found \"-\" - - chosen");
    HttpResponse<String> unknown = egret.send("egress", "header.example.com", "GET", "/unknown-cluster",
        HttpRequest.BodyPublishers.noBody(), Map.of("x-target-cluster", "nope"));
    assertThat(unknown.statusCode()).isEqualTo(503);
  }

  @Test
  void directResponseAndRedirect() throws Exception {
    HttpResponse<String> r = egret.get("egress", "direct.example.com", "/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hi there");
    HttpResponse<String> redirect = egret.get("egress", "direct.example.com", "/old?q=1");
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.headers().firstValue("location")).hasValue("http://direct.example.com/new?q=1");
  }

  @Test
  void keepAliveReusesOneUpstreamConnectionFor100Requests() throws Exception {
    int before = upstream.connectionsAccepted();
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r = egret.get("egress", "api.example.com", "/seq/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
    }
    // one event loop per downstream connection: the client reuses its connection, so does Egret
    assertThat(upstream.connectionsAccepted() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void adminShowsReadyAndEnvoyNamedStats() throws Exception {
    egret.get("egress", "api.example.com", "/for-stats");
    assertThat(egret.admin("/ready").statusCode()).isEqualTo(200);
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"upstream\"}");
    assertThat(prom).contains("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"egress_http\"}");
    assertThat(prom).contains("envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name=\"refused\"}");
  }
}
