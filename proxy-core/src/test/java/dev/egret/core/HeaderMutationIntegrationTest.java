package dev.egret.core;

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
 * Route-table header mutations through a real listener: what the upstream receives (request levels,
 * substitution from the connection and the request) and what the client receives (response levels on
 * upstream answers, direct responses and router local replies; none without a route).
 */
class HeaderMutationIntegrationTest {
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
                route_config:
                  request_headers_to_add:
                  - header: { key: x-level, value: config }
                    append_action: OVERWRITE_IF_EXISTS_OR_ADD
                  response_headers_to_add:
                  - header: { key: traversed-waypoint, value: egret }
                  virtual_hosts:
                  - name: vh
                    domains: ["*"]
                    request_headers_to_add:
                    - header: { key: x-client, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%" }
                    - header: { key: x-level, value: vhost }
                    response_headers_to_remove: [x-upstream-secret]
                    routes:
                    - match: { prefix: "/direct" }
                      direct_response: { status: 200, body: { inline_string: "direct" } }
                      response_headers_to_add:
                      - header: { key: x-direct, value: "yes" }
                    - match: { prefix: "/dead" }
                      route: { cluster: dead }
                    - match: { prefix: "/" }
                      route: { cluster: up }
                      request_headers_to_add:
                      - header: { key: my-added-header, value: added-value }
                      - header: { key: x-echo, value: "%REQ(x-in)%-%PROTOCOL%" }
                      - header: { key: x-in, value: replaced }
                        append_action: OVERWRITE_IF_EXISTS
                      - header: { key: x-absent, value: never }
                        append_action: OVERWRITE_IF_EXISTS
                      request_headers_to_remove: [x-drop]
                      response_headers_to_add:
                      - header: { key: x-route, value: "%RESPONSE_CODE%" }
                        keep_empty_value: true
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: up
          type: STATIC
          load_assignment:
            cluster_name: up
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: dead
          type: STATIC
          connect_timeout: 1s
          load_assignment:
            cluster_name: dead
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${DEAD} } } } }] }]
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up").withResponseHeader("x-upstream-secret", "s3cret");
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort(); // closed again: connections to it are refused
    }
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "DEAD", dead));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  @Test
  void upstreamReceivesRouteVhostAndConfigRequestMutations() throws Exception {
    HttpResponse<String> r = egret.send("main", "api.example", "GET", "/get", HttpRequest.BodyPublishers.noBody(),
        Map.of("x-in", "orig", "x-drop", "gone", "x-level", "client"));
    assertThat(r.statusCode()).isEqualTo(200);
    DemoUpstream.RecordedRequest got = upstream.requests().stream().filter(q -> q.uri().equals("/get"))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(got.headers().get("my-added-header")).isEqualTo("added-value");
    assertThat(got.headers().get("x-echo")).isEqualTo("orig-HTTP/1.1");
    assertThat(got.headers().getAll("x-in")).containsExactly("replaced");
    assertThat(got.headers().contains("x-absent")).isFalse();
    assertThat(got.headers().contains("x-drop")).isFalse();
    assertThat(got.headers().get("x-client")).isEqualTo("127.0.0.1");
    assertThat(got.headers().getAll("x-level")).as("the least specific level is applied last").containsExactly("config");
  }

  @Test
  void clientReceivesResponseMutationsOnUpstreamAnswers() throws Exception {
    HttpResponse<String> r = egret.get("main", "api.example", "/resp");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("traversed-waypoint")).hasValue("egret");
    assertThat(r.headers().firstValue("x-route")).hasValue("200");
    assertThat(r.headers().firstValue("x-upstream-secret")).isEmpty();
  }

  @Test
  void directResponsesAndRouterLocalRepliesGetResponseMutations() throws Exception {
    HttpResponse<String> direct = egret.get("main", "api.example", "/direct");
    assertThat(direct.body()).isEqualTo("direct");
    assertThat(direct.headers().firstValue("x-direct")).hasValue("yes");
    assertThat(direct.headers().firstValue("traversed-waypoint")).hasValue("egret");

    HttpResponse<String> failed = egret.get("main", "api.example", "/dead");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.headers().firstValue("traversed-waypoint")).hasValue("egret");
  }
}
