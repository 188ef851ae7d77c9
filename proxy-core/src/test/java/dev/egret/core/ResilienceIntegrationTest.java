package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RefusedPort;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries and timeouts end to end, with the access-log fields operators read in scenario S1
 * (Istio's JSON format plus the attempt count). The retry policy is kgateway's translation of a
 * TrafficPolicy {@code retry} (testdata traffic-policy/http-retry.yaml).
 */
class ResilienceIntegrationTest {
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
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      json_format:
                        path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"
                        response_code: "%RESPONSE_CODE%"
                        response_flags: "%RESPONSE_FLAGS%"
                        response_code_details: "%RESPONSE_CODE_DETAILS%"
                        upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%"
                        attempt_count: "%UPSTREAM_REQUEST_ATTEMPT_COUNT%"
                        upstream_cluster: "%UPSTREAM_CLUSTER_RAW%"
                route_config:
                  virtual_hosts:
                  - name: ollama
                    domains: ["host.docker.internal:11434"]
                    include_request_attempt_count: true
                    include_attempt_count_in_response: true
                    routes:
                    - match: { prefix: "/" }
                      route:
                        cluster: ollama
                        timeout: 30s
                        retry_policy:
                          num_retries: 2
                          per_try_timeout: 0.5s
                          retriable_status_codes: [503, 504]
                          retry_back_off: { base_interval: 0.005s }
                          retry_on: connect-failure,gateway-error,reset,retriable-status-codes
                  - name: paused
                    domains: ["paused.example"]
                    routes:
                    - match: { prefix: "/" }
                      route:
                        cluster: paused
                        retry_policy:
                          num_retries: 2
                          retry_back_off: { base_interval: 0.005s }
                          retry_on: connect-failure,gateway-error,reset,retriable-status-codes
                  - name: idle
                    domains: ["idle.example"]
                    routes:
                    - match: { prefix: "/" }
                      route:
                        cluster: ollama
                        retry_policy: { retry_on: reset, num_retries: 0, per_try_idle_timeout: 0.3s }
                  - name: noretry
                    domains: ["noretry.example"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: ollama, timeout: 0.3s }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: ollama
          type: STATIC
          load_assignment:
            cluster_name: ollama
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: paused
          type: STATIC
          load_assignment:
            cluster_name: paused
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${REFUSED} } } } }] }]
      """;

  static DemoUpstream upstream;
  static RefusedPort refused;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("ollama");
    refused = new RefusedPort();
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "REFUSED", refused.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
    refused.close();
  }

  private static JsonObject logFor(String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      List<String> lines = egret.awaitLogLines(1);
      for (int i = lines.size() - 1; i >= 0; i--) {
        JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
        if (o.get("path").getAsString().equals(path)) {
          return o;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no log line for " + path);
  }

  @Test
  void pausedUpstreamIsRetriedThen503WithUrxUfAndTheTransportFailureReason() throws Exception {
    HttpResponse<String> r = egret.get("egress", "paused.example", "/api/generate");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("upstream connect error or disconnect/reset before headers. retried and the "
        + "latest reset reason: remote connection failure, transport failure reason: delayed connect error: "
        + "Connection refused");
    JsonObject log = logFor("/api/generate");
    assertThat(log.get("response_code").getAsInt()).isEqualTo(503);
    assertThat(log.get("response_flags").getAsString()).isEqualTo("URX,UF");
    assertThat(log.get("upstream_transport_failure_reason").getAsString())
        .isEqualTo("delayed connect error: Connection refused");
    assertThat(log.get("attempt_count").getAsInt()).isEqualTo(3);
    assertThat(log.get("response_code_details").getAsString()).isEqualTo(
        "upstream_reset_before_response_started{remote_connection_failure|delayed_connect_error:_Connection_refused}");
  }

  @Test
  void retriableStatusIsRetriedUntilTheUpstreamRecovers() throws Exception {
    HttpResponse<String> r = egret.send("egress", "host.docker.internal:11434", "POST", "/flaky/recover/2",
        HttpRequest.BodyPublishers.ofString("x".repeat(5000)), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).as("the body was replayed whole on each retry")
        .isEqualTo("ollama ok after 2 failures, received 5000");
    assertThat(r.headers().firstValue("x-envoy-attempt-count")).hasValue("3");
    List<String> seen = upstream.requests().stream()
        .filter(q -> q.uri().equals("/flaky/recover/2")).map(q -> q.headers().get("x-envoy-attempt-count")).toList();
    assertThat(seen).containsExactly("1", "2", "3");
    JsonObject log = logFor("/flaky/recover/2");
    assertThat(log.get("response_flags").getAsString()).isEqualTo("-");
    assertThat(log.get("attempt_count").getAsInt()).isEqualTo(3);
  }

  @Test
  void retriesUsedUpOnAStatusForwardTheUpstreamResponseWithUrx() throws Exception {
    HttpResponse<String> r = egret.get("egress", "host.docker.internal:11434", "/flaky/always/100");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("failure 3");
    JsonObject log = logFor("/flaky/always/100");
    assertThat(log.get("response_flags").getAsString()).isEqualTo("URX");
    assertThat(log.get("response_code_details").getAsString()).isEqualTo("via_upstream");
    assertThat(log.get("attempt_count").getAsInt()).isEqualTo(3);
  }

  @Test
  void perTryTimeoutsUsedUpGive504WithUrxUt() throws Exception {
    HttpResponse<String> r = egret.get("egress", "host.docker.internal:11434", "/sleep/2000");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("upstream request timeout");
    assertThat(r.headers().firstValue("x-envoy-attempt-count")).as("include_attempt_count_in_response").hasValue("3");
    assertThat(upstream.requests().stream().filter(q -> q.uri().equals("/sleep/2000"))
        .map(q -> q.headers().get("x-envoy-expected-rq-timeout-ms")).toList())
        .as("the per-try timeout is shorter than the route's").containsOnly("500");
    JsonObject log = logFor("/sleep/2000");
    assertThat(log.get("response_flags").getAsString()).isEqualTo("URX,UT");
    assertThat(log.get("response_code_details").getAsString()).isEqualTo("upstream_per_try_timeout");
    assertThat(log.get("attempt_count").getAsInt()).isEqualTo(3);
  }

  @Test
  void perTryIdleTimeoutGives504WithItsOwnDetails() throws Exception {
    HttpResponse<String> r = egret.get("egress", "idle.example", "/sleep/1200");
    assertThat(r.statusCode()).isEqualTo(504);
    JsonObject log = logFor("/sleep/1200");
    assertThat(log.get("response_flags").getAsString()).isEqualTo("URX,UT");
    assertThat(log.get("response_code_details").getAsString()).isEqualTo("upstream_per_try_idle_timeout");
  }

  @Test
  void routeTimeoutWithoutRetriesGives504Ut() throws Exception {
    HttpResponse<String> r = egret.get("egress", "noretry.example", "/sleep/1500");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("upstream request timeout");
    JsonObject log = logFor("/sleep/1500");
    assertThat(log.get("response_flags").getAsString()).isEqualTo("UT");
    assertThat(log.get("response_code_details").getAsString()).isEqualTo("response_timeout");
    assertThat(log.get("attempt_count").getAsInt()).isEqualTo(1);
  }

  @Test
  void retryStatsAreCounted() throws Exception {
    egret.get("egress", "paused.example", "/for-stats");
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).containsPattern("envoy_cluster_upstream_rq_retry\\{envoy_cluster_name=\"paused\"} [1-9]");
    assertThat(prom).containsPattern(
        "envoy_cluster_upstream_rq_retry_limit_exceeded\\{envoy_cluster_name=\"paused\"} [1-9]");
  }
}
