package dev.egret.core.http.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP filter SPI end to end: filters found by type URL, run in order, holding and answering requests. */
class HttpFilterChainTest {
  static final String CONFIG = """
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
                      text_format_source: { inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS%\\n" }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [{ name: everything, match: { prefix: "/" }, route: { cluster: up } }]
                http_filters:
                - name: test.deny
                  typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "deny:x-deny" }
                - name: test.async
                  typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "async" }
                - name: test.response
                  typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: "response-header:x-filtered" }
                - name: some.filter.egret.does.not.know
                  is_optional: true
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: up
          type: STATIC
          load_assignment:
            cluster_name: up
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """;

  static DemoUpstream upstream;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("up");
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    upstream.close();
  }

  @Test
  void aFilterCanAnswerLocallyAndLaterFiltersDoNotRun() throws Exception {
    HttpResponse<String> r = egret.send("egress", "any.test", "GET", "/denied", HttpRequest.BodyPublishers.noBody(),
        Map.of("x-deny", "1"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("denied by test filter");
    assertThat(r.headers().firstValue("x-filtered")).as("filters after it never saw the request").isEmpty();
    assertThat(upstream.requests()).noneMatch(q -> q.uri().equals("/denied"));
    assertThat(egret.awaitLogLineContaining("/denied ")).isEqualTo("/denied 403 test_denied");
  }

  @Test
  void aFilterCanHoldTheRequestAndContinueItLaterWithItsBodyIntact() throws Exception {
    HttpResponse<String> r = egret.send("egress", "any.test", "POST", "/held",
        HttpRequest.BodyPublishers.ofString("payload ".repeat(1000)), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("up POST /held HTTP/1.1 body=payload payload");
    assertThat(r.headers().firstValue("x-filtered")).hasValue("1");
    var seen = upstream.requests().stream().filter(q -> q.uri().equals("/held")).findFirst().orElseThrow();
    assertThat(seen.headers().get("x-async-checked")).isEqualTo("route:everything");
  }
}
