package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code egret logs} through the command line entry point. */
class LogsCommandTest {
  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Egret.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void logsCommandSummarisesAFile(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("access.log");
    Files.writeString(log, "[2025-06-30T02:48:20.634Z] \"GET /get HTTP/1.1\" 503 URX,UF 0 91 2004 - "
        + "\"-\" \"curl/8.14.1\" \"5c3a\" \"httpbin.org\" \"44.207.188.95:443\"\n");
    Result r = run("logs", log.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("lines: 1 (envoy 1, istio 0, json 0, not recognised 0)\n")
        .contains("response flags:\n  UF   1\n  URX  1\n")
        .contains("  2004 ms  GET /get  503  URX,UF\n")
        .contains("retried requests  1  (attempt_count > 1: 0, URX without attempt_count: 1)");
  }

  @Test
  void logsCommandNeedsExactlyOneArgument() {
    Result r = run("logs");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("usage: egret logs FILE|-\n");
    assertThat(run("--help").out()).contains("egret logs FILE|-");
  }
}
