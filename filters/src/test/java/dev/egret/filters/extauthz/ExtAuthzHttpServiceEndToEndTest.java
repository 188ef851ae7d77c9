package dev.egret.filters.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ext_authz in HTTP-service mode against a small real HTTP authorization server (the JDK's), reached
 * through Egret's own pool for the {@code server_uri} cluster: what the check request carries, and
 * how 200, 401 and 503 answers become allow, deny and error.
 */
class ExtAuthzHttpServiceEndToEndTest {
  static final String CONFIG = """
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
                      text_format_source: { inline_string: "%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" }
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: upstream } }] }]
                http_filters:
                - name: envoy.filters.http.ext_authz
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                    allowed_headers: { patterns: [ { exact: x-force-authorized }, { prefix: x-trace- } ] }
                    http_service:
                      server_uri: { uri: "http://authz.local", cluster: authz_http, timeout: 5s }
                      path_prefix: /check
                      authorization_request:
                        headers_to_add: [ { key: x-from-egret, value: "yes" } ]
                      authorization_response:
                        allowed_upstream_headers: { patterns: [ { exact: x-auth-user } ] }
                        allowed_client_headers_on_success: { patterns: [ { exact: set-cookie } ] }
                        allowed_client_headers: { patterns: [ { exact: x-denied-by } ] }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: upstream
          type: STATIC
          load_assignment:
            cluster_name: upstream
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: authz_http
          type: STATIC
          load_assignment:
            cluster_name: authz_http
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${AUTHZ} } } } }] }]
      """;

  /** What the authorization server received. */
  record Seen(String method, String path, Headers headers) {}

  static final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  static HttpServer authz;
  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    authz = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    authz.createContext("/", x -> {
      seen.add(new Seen(x.getRequestMethod(), x.getRequestURI().toString(), x.getRequestHeaders()));
      x.getRequestBody().readAllBytes();
      int status;
      String body;
      if (x.getRequestURI().getPath().contains("/boom")) {
        status = 503;
        body = "overloaded";
      } else if ("true".equals(x.getRequestHeaders().getFirst("x-force-authorized"))) {
        status = 200;
        body = "";
        x.getResponseHeaders().add("x-auth-user", "bob");
        x.getResponseHeaders().add("x-auth-extra", "not-forwarded");
        x.getResponseHeaders().add("set-cookie", "s=1");
      } else {
        status = 401;
        body = "no entry";
        x.getResponseHeaders().add("www-authenticate", "Basic realm=egret");
        x.getResponseHeaders().add("x-denied-by", "http-authz");
        x.getResponseHeaders().add("x-internal", "hidden");
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(b);
      }
    });
    authz.start();
    upstream = DemoUpstream.http1("up");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "AUTHZ", authz.getAddress().getPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
    authz.stop(0);
  }

  @BeforeEach
  void forget() {
    seen.clear();
  }

  @Test
  void okAnswerForwardsSelectedHeadersUpstreamAndToTheClient() throws Exception {
    HttpResponse<String> r = egret.send("main", "shop.example", "POST", "/orders?id=7",
        HttpRequest.BodyPublishers.ofString("payload"),
        Map.of("x-force-authorized", "true", "x-trace-id", "t1", "x-other", "o", "authorization", "Bearer k"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().allValues("set-cookie")).containsExactly("s=1");
    DemoUpstream.RecordedRequest up = upstream.requests().stream()
        .filter(q -> q.uri().equals("/orders?id=7")).findFirst().orElseThrow();
    assertThat(up.headers().get("x-auth-user")).isEqualTo("bob");
    assertThat(up.headers().contains("x-auth-extra")).isFalse();

    Seen check = seen.poll(5, TimeUnit.SECONDS);
    assertThat(check).isNotNull();
    assertThat(check.method()).isEqualTo("POST");
    assertThat(check.path()).isEqualTo("/check/orders?id=7");
    assertThat(check.headers().getFirst("host")).isEqualTo("shop.example");
    assertThat(check.headers().getFirst("x-force-authorized")).isEqualTo("true");
    assertThat(check.headers().getFirst("x-trace-id")).isEqualTo("t1");
    assertThat(check.headers().getFirst("authorization")).isEqualTo("Bearer k");
    assertThat(check.headers().getFirst("x-from-egret")).isEqualTo("yes");
    assertThat(check.headers().getFirst("content-length")).isEqualTo("0");
    assertThat(check.headers().containsKey("x-other")).as("not in allowed_headers").isFalse();
  }

  @Test
  void deniedAnswerIsRelayedWithItsStatusBodyAndAllowedClientHeaders() throws Exception {
    HttpResponse<String> r = egret.get("main", "shop.example", "/admin");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("no entry");
    assertThat(r.headers().firstValue("x-denied-by")).contains("http-authz");
    assertThat(r.headers().firstValue("www-authenticate")).as("always relayed").contains("Basic realm=egret");
    assertThat(r.headers().firstValue("x-internal")).as("not in allowed_client_headers").isEmpty();
    assertThat(upstream.requests()).noneMatch(q -> q.uri().equals("/admin"));
    assertThat(egret.awaitLogLineStartingWith("GET /admin ")).isEqualTo("GET /admin 401 UAEX ext_authz_denied");
  }

  @Test
  void serverErrorFromTheAuthorizationServiceIsAnError() throws Exception {
    HttpResponse<String> r = egret.send("main", "shop.example", "GET", "/boom",
        HttpRequest.BodyPublishers.noBody(), Map.of("x-force-authorized", "true"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEmpty();
    assertThat(egret.awaitLogLineStartingWith("GET /boom ")).isEqualTo("GET /boom 403 UAEX ext_authz_error");
  }
}
