package dev.egret.filters.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code envoy.filters.http.cors} through a real listener, with the per-route {@code CorsPolicy} as
 * istiod sends a VirtualService {@code corsPolicy}: preflights answered here, simple requests get
 * {@code access-control-*} response headers, other origins and routes without a policy untouched.
 */
class CorsEndToEndTest {
  static final String CONFIG = """
      static_resources:
        listeners:
        - name: web
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: web
                http_filters:
                - name: envoy.filters.http.cors
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    typed_per_filter_config:
                      envoy.filters.http.cors:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                        max_age: "86400"
                    routes:
                    - match: { prefix: "/api" }
                      direct_response: { status: 200, body: { inline_string: "api" } }
                      typed_per_filter_config:
                        envoy.filters.http.cors:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                          allow_origin_string_match: [{ exact: "https://app.example" }, { prefix: "https://dev." }]
                          allow_methods: "GET,POST"
                          allow_headers: "content-type,x-token"
                          expose_headers: "x-trace"
                          allow_credentials: true
                          filter_enabled: { default_value: { numerator: 100, denominator: HUNDRED } }
                          forward_not_matching_preflights: false
                    - match: { prefix: "/" }
                      direct_response: { status: 200, body: { inline_string: "plain" } }
      """;

  private static HttpResponse<String> send(EgretHarness egret, String method, String path, Map<String, String> headers)
      throws Exception {
    return egret.send("web", "x", method, path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  @Test
  void preflightIsAnsweredWithMergedPolicyHeaders() throws Exception {
    try (EgretHarness egret = new EgretHarness(CONFIG, Map.of())) {
      HttpResponse<String> r = send(egret, "OPTIONS", "/api/x",
          Map.of("origin", "https://app.example", "access-control-request-method", "POST"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEmpty();
      assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
      assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("GET,POST");
      assertThat(r.headers().firstValue("access-control-allow-headers")).hasValue("content-type,x-token");
      assertThat(r.headers().firstValue("access-control-allow-credentials")).hasValue("true");
      assertThat(r.headers().firstValue("access-control-max-age")).as("from the virtual host's policy")
          .hasValue("86400");
    }
  }

  @Test
  void simpleRequestGetsAllowOriginAndOthersAreUntouched() throws Exception {
    try (EgretHarness egret = new EgretHarness(CONFIG, Map.of())) {
      HttpResponse<String> r = send(egret, "GET", "/api/x", Map.of("origin", "https://dev.example"));
      assertThat(r.body()).isEqualTo("api");
      assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("https://dev.example");
      assertThat(r.headers().firstValue("access-control-expose-headers")).hasValue("x-trace");
      assertThat(r.headers().firstValue("access-control-allow-credentials")).hasValue("true");

      HttpResponse<String> foreign = send(egret, "GET", "/api/x", Map.of("origin", "https://evil.example"));
      assertThat(foreign.body()).isEqualTo("api");
      assertThat(foreign.headers().firstValue("access-control-allow-origin")).isEmpty();

      HttpResponse<String> foreignPreflight = send(egret, "OPTIONS", "/api/x",
          Map.of("origin", "https://evil.example", "access-control-request-method", "GET"));
      assertThat(foreignPreflight.statusCode()).isEqualTo(200);
      assertThat(foreignPreflight.body()).as("forward_not_matching_preflights: false answers here").isEmpty();
      assertThat(foreignPreflight.headers().firstValue("access-control-allow-origin")).isEmpty();

      HttpResponse<String> noPolicy = send(egret, "GET", "/other", Map.of("origin", "https://app.example"));
      assertThat(noPolicy.body()).isEqualTo("plain");
      assertThat(noPolicy.headers().firstValue("access-control-allow-origin"))
          .as("the virtual host's policy allows no origin").isEmpty();
    }
  }
}
