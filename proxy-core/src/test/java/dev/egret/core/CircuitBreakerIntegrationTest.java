package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.H2cClient;
import dev.egret.core.testing.RefusedPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Circuit breakers as Envoy applies them: 503 with {@code UO} and {@code x-envoy-overloaded: true} when
 * requests or waiting requests overflow, {@code UO,UF} when the retry breaker refuses a retry. The
 * concurrent requests share one HTTP/2 client connection, so one event loop sees them all.
 */
class CircuitBreakerIntegrationTest {
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
                      text_format_source:
                        inline_string: "%REQ(:AUTHORITY)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n"
                route_config:
                  virtual_hosts:
                  - name: one_at_a_time
                    domains: ["requests.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: max_requests } }]
                  - name: queue
                    domains: ["pending.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: max_pending } }]
                  - name: retries
                    domains: ["retries.test"]
                    routes:
                    - match: { prefix: "/" }
                      route:
                        cluster: no_retries_allowed
                        retry_policy: { retry_on: connect-failure, num_retries: 2 }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: max_requests
          type: STATIC
          circuit_breakers: { thresholds: [{ max_requests: 1 }] }
          load_assignment:
            cluster_name: max_requests
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: max_pending
          type: STATIC
          circuit_breakers: { thresholds: [{ max_connections: 1, max_pending_requests: 1 }] }
          load_assignment:
            cluster_name: max_pending
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: no_retries_allowed
          type: STATIC
          circuit_breakers: { thresholds: [{ priority: DEFAULT, max_retries: 0 }, { priority: HIGH, max_retries: 5 }] }
          load_assignment:
            cluster_name: no_retries_allowed
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${REFUSED} } } } }] }]
      """;

  static DemoUpstream upstream;
  static RefusedPort refused;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("slow");
    refused = new RefusedPort();
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port(), "REFUSED", refused.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
    refused.close();
  }

  private static List<H2cClient.Response> concurrently(String authority, int n, boolean warmUp) throws Exception {
    try (H2cClient client = new H2cClient(egret.port("egress"))) {
      if (warmUp) {
        assertThat(client.get(authority, "/warm").status()).isEqualTo(200); // leaves one idle connection
      }
      List<CompletableFuture<H2cClient.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(client.getAsync(authority, "/sleep/400"));
      }
      List<H2cClient.Response> out = new ArrayList<>();
      for (CompletableFuture<H2cClient.Response> f : futures) {
        out.add(f.get(10, TimeUnit.SECONDS));
      }
      return out;
    }
  }

  @Test
  void requestsBeyondMaxRequestsGet503Uo() throws Exception {
    List<H2cClient.Response> r = concurrently("requests.test", 3, false);
    assertThat(r).filteredOn(x -> x.status() == 200).hasSize(1);
    List<H2cClient.Response> refusedOnes = r.stream().filter(x -> x.status() == 503).toList();
    assertThat(refusedOnes).hasSize(2).allSatisfy(x -> {
      assertThat(x.body()).isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: overflow");
      assertThat(x.overloaded()).isEqualTo("true");
    });
    assertThat(egret.awaitLogLineStartingWith("requests.test 503")).isEqualTo("requests.test 503 UO upstream_reset_before_response_started{overflow}");
  }

  @Test
  void clustersShowsTheConfiguredThresholds() throws Exception {
    String clusters = egret.admin("/clusters").body();
    assertThat(clusters).contains("max_requests::default_priority::max_requests::1\n")
        .contains("max_pending::default_priority::max_connections::1\n")
        .contains("max_pending::default_priority::max_pending_requests::1\n")
        .contains("no_retries_allowed::default_priority::max_retries::0\n");
  }

  @Test
  void requestsBeyondPendingLimitGet503UoWhileOneWaits() throws Exception {
    List<H2cClient.Response> r = concurrently("pending.test", 3, true);
    // one takes the only (idle) connection, one waits for it, the third overflows the pending queue
    assertThat(r).filteredOn(x -> x.status() == 200).hasSize(2);
    assertThat(r).filteredOn(x -> x.status() == 503 && "true".equals(x.overloaded())).hasSize(1);
  }

  @Test
  void retryRefusedByTheRetryBreakerGivesUoUf() throws Exception {
    try (H2cClient client = new H2cClient(egret.port("egress"))) {
      H2cClient.Response r = client.get("retries.test", "/");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).endsWith("reset reason: remote connection failure, transport failure reason: "
          + "delayed connect error: Connection refused");
    }
    assertThat(egret.awaitLogLineStartingWith("retries.test ")).startsWith("retries.test 503 UO,UF ");
  }

}
