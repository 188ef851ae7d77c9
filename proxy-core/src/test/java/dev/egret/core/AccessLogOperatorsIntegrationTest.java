package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RefusedPort;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access-log filters and the admin {@code /access_log} end to end: a file log that keeps failures
 * only, and the admin ring that keeps every stream, after requests with different outcomes.
 */
class AccessLogOperatorsIntegrationTest {
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
                access_log:
                - name: envoy.access_loggers.file
                  filter:
                    or_filter:
                      filters:
                      - status_code_filter: { comparison: { op: GE, value: { default_value: 500, runtime_key: failures.min_status } } }
                      - response_flag_filter: { flags: [NR] }
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\\n"
                route_config:
                  name: routes
                  virtual_hosts:
                  - name: api
                    domains: ["api.example.com"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: upstream }
                  - name: dead
                    domains: ["dead.example.com"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: refused }
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
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;
  static RefusedPort refused;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up1");
    refused = new RefusedPort();
    egret = new EgretHarness(CONFIG, Map.of("UPSTREAM_PORT", upstream.port(),
        "CLOSED_PORT", refused.port()));
    assertThat(egret.get("egress", "api.example.com", "/fine").statusCode()).isEqualTo(200);
    assertThat(egret.get("egress", "dead.example.com", "/broken").statusCode()).isEqualTo(503);
    assertThat(egret.get("egress", "nowhere.example.com", "/lost").statusCode()).isEqualTo(404);
    assertThat(egret.get("egress", "api.example.com", "/fine-again").statusCode()).isEqualTo(200);
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
    refused.close();
  }

  /** Polls {@code /access_log} until the ring has recorded all four requests (5 s deadline). */
  private static JsonObject awaitAllRecorded(String query) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    JsonObject o;
    do {
      HttpResponse<String> r = egret.admin("/access_log?format=json" + query);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      o = JsonParser.parseString(r.body()).getAsJsonObject();
      if (o.get("recorded").getAsInt() >= 4) {
        return o;
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the ring recorded only " + o.get("recorded") + " streams");
  }

  private static String paths(JsonArray a) {
    StringBuilder sb = new StringBuilder();
    a.forEach(e -> sb.append(e.getAsJsonObject().get("path").getAsString()).append(' '));
    return sb.toString().trim();
  }

  @Test
  void fileLogFilterKeepsOnlyFailures() throws Exception {
    awaitAllRecorded("");
    List<String> lines = egret.awaitLogLines(2);
    assertThat(lines).containsExactly("/broken 503 UF", "/lost 404 NR");
  }

  @Test
  void adminListsEveryStreamNewestFirst() throws Exception {
    JsonObject o = awaitAllRecorded("");
    assertThat(o.get("capacity").getAsInt()).isEqualTo(1000);
    assertThat(paths(o.getAsJsonArray("entries"))).isEqualTo("/fine-again /lost /broken /fine");
  }

  @Test
  void adminFiltersByFlagStatusAndCluster() throws Exception {
    JsonArray uf = awaitAllRecorded("&response_flags=UF,UO").getAsJsonArray("entries");
    assertThat(paths(uf)).isEqualTo("/broken");
    JsonObject broken = uf.get(0).getAsJsonObject();
    assertThat(broken.get("response_code").getAsInt()).isEqualTo(503);
    assertThat(broken.get("upstream_cluster").getAsString()).isEqualTo("refused");
    assertThat(broken.get("upstream_transport_failure_reason").getAsString())
        .isEqualTo("delayed connect error: Connection refused");
    assertThat(broken.get("attempt_count").getAsInt()).isEqualTo(1);
    assertThat(paths(awaitAllRecorded("&status=2xx").getAsJsonArray("entries")))
        .isEqualTo("/fine-again /fine");
    assertThat(paths(awaitAllRecorded("&status=404").getAsJsonArray("entries"))).isEqualTo("/lost");
    assertThat(paths(awaitAllRecorded("&cluster=upstream&limit=1").getAsJsonArray("entries")))
        .isEqualTo("/fine-again");
  }

  @Test
  void adminTextIsEnvoyDefaultFormat() throws Exception {
    awaitAllRecorded("");
    HttpResponse<String> r = egret.admin("/access_log?status=503");
    assertThat(r.body()).matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] "
        + "\"GET /broken HTTP/1\\.1\" 503 UF 0 \\d+ \\d+ - \"-\" \"[^\"]*\" \"[0-9a-f-]{36}\" "
        + "\"dead\\.example\\.com\" \"127\\.0\\.0\\.1:" + refused.port() + "\"\n");
  }
}
