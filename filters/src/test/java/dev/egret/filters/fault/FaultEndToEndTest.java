package dev.egret.filters.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.config.ConfigException;
import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code envoy.filters.http.fault} through a real listener: the empty filter config istiod sends does
 * nothing; a route's {@code HTTPFault} (as Istio sends VirtualService fault injection) aborts or
 * delays, with the {@code FI} / {@code DI} flags in the access log.
 */
class FaultEndToEndTest {
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
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" }
                http_filters:
                - name: envoy.filters.http.fault
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/abort" }
                      direct_response: { status: 200, body: { inline_string: "ok" } }
                      typed_per_filter_config:
                        envoy.filters.http.fault:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                          abort: { http_status: 418, percentage: { numerator: 100, denominator: HUNDRED } }
                          headers: [{ name: x-fault, string_match: { exact: "yes" } }]
                    - match: { prefix: "/delay" }
                      direct_response: { status: 200, body: { inline_string: "late" } }
                      typed_per_filter_config:
                        envoy.filters.http.fault:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                          delay: { fixed_delay: 0.3s, percentage: { numerator: 1000000, denominator: MILLION } }
                    - match: { prefix: "/" }
                      direct_response: { status: 200, body: { inline_string: "plain" } }
      """;

  @Test
  void emptyFilterConfigPassesAndRouteFaultsAbortOrDelayWithFlags() throws Exception {
    try (EgretHarness egret = new EgretHarness(CONFIG, Map.of())) {
      HttpResponse<String> plain = egret.get("web", "x", "/");
      assertThat(plain.statusCode()).isEqualTo(200);
      assertThat(plain.body()).isEqualTo("plain");
      assertThat(egret.awaitLogLineStartingWith("/ ")).isEqualTo("/ 200 - direct_response");

      HttpResponse<String> unmatched = egret.get("web", "x", "/abort/no-header");
      assertThat(unmatched.statusCode()).as("headers do not match: no fault").isEqualTo(200);

      HttpResponse<String> aborted = egret.send("web", "x", "GET", "/abort/yes",
          HttpRequest.BodyPublishers.noBody(), Map.of("x-fault", "yes"));
      assertThat(aborted.statusCode()).isEqualTo(418);
      assertThat(aborted.body()).isEqualTo("fault filter abort");
      assertThat(egret.awaitLogLineStartingWith("/abort/yes ")).isEqualTo("/abort/yes 418 FI fault_filter_abort");

      long start = System.nanoTime();
      HttpResponse<String> delayed = egret.get("web", "x", "/delay");
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(delayed.statusCode()).isEqualTo(200);
      assertThat(delayed.body()).isEqualTo("late");
      assertThat(tookMs).as("held for fixed_delay").isGreaterThanOrEqualTo(300);
      assertThat(egret.awaitLogLineStartingWith("/delay ")).isEqualTo("/delay 200 DI direct_response");
    }
  }

  @Test
  void headerControlledFaultsAreRejectedWithTheirPath() {
    String yaml = CONFIG.replace("delay: { fixed_delay: 0.3s,", "delay: { header_delay: {},");
    assertThatThrownBy(() -> new EgretHarness(yaml, Map.of()).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("typed_per_filter_config")
        .hasMessageContaining("header_delay");
  }
}
