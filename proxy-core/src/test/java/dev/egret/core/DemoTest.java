package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** `egret demo` keeps working: every scenario it replays gets its expected answer and log line. */
class DemoTest {
  @Test
  void demoReplaysTheScenariosWithTheirLogLines() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Egret.run(new String[] {"demo"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(text)
        .contains("-> 200  Ollama is running")
        .contains("-> 200  httpbin.org GET /get HTTP/2")
        .contains("\"GET /get HTTP/1.1\" 200 - via_upstream - \"-\"")
        .contains("verify_cert_failed:_SAN_matcher")
        .contains("404 NR route_not_found")
        .contains("503 URX,UF upstream_reset_before_response_started{remote_connection_failure|"
            + "delayed_connect_error:_Connection_refused}")
        .contains("\"response_flags\":\"URX,UF\"")
        .contains("\"attempt_count\":3")
        .contains("504 UT response_timeout")
        .contains("503 UO upstream_reset_before_response_started{overflow} - \"-\" 0 81 ")
        .contains("(x-envoy-overloaded: true)")
        .doesNotContain("(no access-log line");
  }
}
