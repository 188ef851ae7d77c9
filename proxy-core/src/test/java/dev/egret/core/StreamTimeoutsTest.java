package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connection manager's stream timers, each with Envoy's status, body, flag and details. */
class StreamTimeoutsTest {
  static String listener(String name, String hcmExtra, String routeExtra) {
    return """
        - name: %s
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: %s
                %s
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source: { inline_string: "%s %%REQ(:PATH)%% %%RESPONSE_CODE%% %%RESPONSE_FLAGS%% %%RESPONSE_CODE_DETAILS%%\\n" }
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: up, timeout: 0s %s } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        """.formatted(name, name, hcmExtra, name, routeExtra);
  }

  static final String CONFIG = "static_resources:\n  listeners:\n"
      + (listener("idle", "stream_idle_timeout: 0.3s", "")
      + listener("route_idle", "stream_idle_timeout: 10s", ", idle_timeout: 0.2s")
      + listener("route_idle_off", "stream_idle_timeout: 0.3s", ", idle_timeout: 0s")
      + listener("request", "request_timeout: 0.3s", "")
      + listener("duration", "common_http_protocol_options: { max_stream_duration: 0.3s }", "")
      + listener("route_duration", "common_http_protocol_options: { max_stream_duration: 10s }",
          ", max_stream_duration: { max_stream_duration: 0.3s }"))
      .indent(2)
      + """
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
  void streamIdleTimeoutGives504SiWhenTheRequestWasComplete() throws Exception {
    HttpResponse<String> r = egret.get("idle", "a.test", "/sleep/2000");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("stream timeout");
    assertThat(egret.awaitLogLineStartingWith("idle ")).isEqualTo("idle /sleep/2000 504 SI stream_idle_timeout");
  }

  @Test
  void routeIdleTimeoutReplacesTheConnectionManagers() throws Exception {
    HttpResponse<String> r = egret.get("route_idle", "a.test", "/sleep/2000");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(egret.awaitLogLineStartingWith("route_idle ")).isEqualTo("route_idle /sleep/2000 504 SI stream_idle_timeout");
  }

  @Test
  void routeIdleTimeoutZeroTurnsTheTimerOff() throws Exception {
    HttpResponse<String> r = egret.get("route_idle_off", "a.test", "/sleep/700");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("slept 700");
  }

  @Test
  void requestTimeoutGives408WhileTheBodyIsStillComing() throws Exception {
    try (Socket s = new Socket("127.0.0.1", egret.port("request"))) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /upload HTTP/1.1\r\nHost: a.test\r\nContent-Length: 100\r\n\r\nonly part").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 408 Request Timeout");
      assertThat(response).endsWith("request timeout");
    }
    assertThat(egret.awaitLogLineStartingWith("request ")).isEqualTo("request /upload 408 - request_overall_timeout");
  }

  @Test
  void routeMaxStreamDurationReplacesTheConnectionManagers() throws Exception {
    HttpResponse<String> r = egret.get("route_duration", "a.test", "/sleep/2000");
    assertThat(r.statusCode()).isEqualTo(408);
    assertThat(egret.awaitLogLineStartingWith("route_duration "))
        .isEqualTo("route_duration /sleep/2000 408 DT max_duration_timeout");
  }

  @Test
  void maxStreamDurationGives408Dt() throws Exception {
    HttpResponse<String> r = egret.get("duration", "a.test", "/sleep/2000");
    assertThat(r.statusCode()).isEqualTo(408);
    assertThat(r.body()).isEqualTo("downstream duration timeout");
    assertThat(egret.awaitLogLineStartingWith("duration ")).isEqualTo("duration /sleep/2000 408 DT max_duration_timeout");
  }
}
