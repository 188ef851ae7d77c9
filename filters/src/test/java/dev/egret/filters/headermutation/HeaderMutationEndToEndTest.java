package dev.egret.filters.headermutation;

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
 * The {@code header_mutation} HTTP filter through real listeners. Listener {@code kgw} is laid out as
 * kgateway lays it out (the filter listed {@code disabled: true} with a {@code HeaderMutationPerRoute}
 * type, enabled by route-configuration and route {@code typed_per_filter_config}); listener
 * {@code direct} has an enabled filter with its own mutations, {@code most_specific_header_mutations_wins}
 * and a route that disables it.
 */
class HeaderMutationEndToEndTest {
  static final String MUTATIONS = """
      mutations:
        request_mutations:
        - append: { header: { key: x-custom, value: "%LEVEL%" } }
        - append: { header: { key: x-custom-set, value: "%LEVEL%" }, append_action: OVERWRITE_IF_EXISTS_OR_ADD }
        - remove: x-drop
        response_mutations:
        - append: { header: { key: x-custom-response, value: "%LEVEL%" } }
        - remove: x-upstream-secret
      """;

  static String mutations(String level, int indent) {
    return MUTATIONS.replace("%LEVEL%", level).indent(indent).stripTrailing();
  }

  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: kgw
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: kgw
                http_filters:
                - name: envoy.extensions.filters.http.header_mutation
                  disabled: true
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  typed_per_filter_config:
                    envoy.extensions.filters.http.header_mutation:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute
      GW
                  virtual_hosts:
                  - name: vh
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/route" }
                      route: { cluster: up }
                      typed_per_filter_config:
                        envoy.extensions.filters.http.header_mutation:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute
      ROUTE
                    - match: { prefix: "/" }
                      route: { cluster: up }
        - name: direct
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: direct
                http_filters:
                - name: hm
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
                    most_specific_header_mutations_wins: true
      FILTER
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  virtual_hosts:
                  - name: vh
                    domains: ["*"]
                    typed_per_filter_config:
                      hm:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute
      VHOST
                    routes:
                    - match: { prefix: "/off" }
                      route: { cluster: up }
                      typed_per_filter_config:
                        hm: { "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true }
                    - match: { prefix: "/" }
                      route: { cluster: up }
                      typed_per_filter_config:
                        hm:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute
      ROUTE2
        clusters:
        - name: up
          type: STATIC
          load_assignment:
            cluster_name: up
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """
      .replace("GW\n", mutations("gw", 16) + "\n")
      .replace("ROUTE\n", mutations("route", 20) + "\n")
      .replace("FILTER\n", mutations("filter", 14) + "\n")
      .replace("VHOST\n", mutations("vhost", 18) + "\n")
      .replace("ROUTE2\n", mutations("route", 20) + "\n");

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up").withResponseHeader("x-upstream-secret", "s3cret");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  private static HttpResponse<String> send(String listener, String path) throws Exception {
    return egret.send(listener, "example.com", "GET", path, HttpRequest.BodyPublishers.noBody(),
        Map.of("x-drop", "d", "x-custom-set", "client"));
  }

  private static io.netty.handler.codec.http.HttpHeaders upstreamSaw(String path) {
    return upstream.requests().stream().filter(q -> q.uri().equals(path)).reduce((a, b) -> b).orElseThrow()
        .headers();
  }

  @Test
  void disabledFilterRunsWhereRoutesEnableItRouteThenRouteConfig() throws Exception {
    HttpResponse<String> r = send("kgw", "/route/a");
    assertThat(r.statusCode()).isEqualTo(200);
    io.netty.handler.codec.http.HttpHeaders up = upstreamSaw("/route/a");
    assertThat(up.getAll("x-custom")).containsExactly("route", "gw");
    assertThat(up.getAll("x-custom-set")).as("the least specific level runs last").containsExactly("gw");
    assertThat(up.contains("x-drop")).isFalse();
    assertThat(r.headers().allValues("x-custom-response")).containsExactly("route", "gw");
    assertThat(r.headers().firstValue("x-upstream-secret")).isEmpty();
  }

  @Test
  void routeConfigLevelAloneEnablesTheFilter() throws Exception {
    send("kgw", "/other");
    assertThat(upstreamSaw("/other").getAll("x-custom")).containsExactly("gw");
  }

  @Test
  void filterLevelFirstThenMostSpecificLastWhenItWins() throws Exception {
    HttpResponse<String> r = send("direct", "/on");
    io.netty.handler.codec.http.HttpHeaders up = upstreamSaw("/on");
    assertThat(up.getAll("x-custom")).containsExactly("filter", "vhost", "route");
    assertThat(up.getAll("x-custom-set")).containsExactly("route");
    assertThat(r.headers().allValues("x-custom-response")).containsExactly("filter", "vhost", "route");
  }

  @Test
  void aRouteThatDisablesTheFilterGetsNoMutation() throws Exception {
    HttpResponse<String> r = send("direct", "/off");
    io.netty.handler.codec.http.HttpHeaders up = upstreamSaw("/off");
    assertThat(up.contains("x-custom")).isFalse();
    assertThat(up.getAll("x-custom-set")).containsExactly("client");
    assertThat(up.get("x-drop")).isEqualTo("d");
    assertThat(r.headers().firstValue("x-upstream-secret")).hasValue("s3cret");
  }
}
