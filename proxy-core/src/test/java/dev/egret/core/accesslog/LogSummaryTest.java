package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpMethod;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code egret logs} on a generated log of known content in the three formats. */
class LogSummaryTest {

  private static StreamInfo http(String method, String path, int status, long ms, String cluster,
      String host, int attempts, ResponseFlag... flags) {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", ms);
    info.setProtocol("HTTP/1.1");
    info.setRequest(Infos.request(HttpMethod.valueOf(method), path, "host", "api.example.com",
        "user-agent", "Mozilla/5.0 (X11; Linux x86_64)", "x-request-id", "r-" + path));
    info.setResponseCode(status);
    for (ResponseFlag f : flags) {
      info.setFlag(f);
    }
    info.setUpstreamCluster(cluster, null);
    info.setUpstreamHost(host);
    info.setAttemptCount(attempts);
    info.setDownstreamAddresses(Infos.addr("10.42.0.8", 15008), Infos.addr("10.42.0.9", 35662));
    return info;
  }

  private static String json(StreamInfo info) {
    StringBuilder sb = new StringBuilder();
    AccessLogEntry.of(info).appendJson(sb);
    return sb.append('\n').toString();
  }

  /** The log the summary test reads: every line written by Egret's own formatters. */
  static String generatedLog() {
    StreamInfo tcp = Infos.at("2025-06-30T02:48:21.000Z", 5);
    tcp.setFlag(ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
    tcp.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    tcp.setUpstreamCluster("outbound|5432||db", null);
    tcp.setUpstreamHost("10.0.0.5:5432");
    tcp.setUpstreamTransportFailureReason("delayed connect error: Connection refused");
    AccessLogFormat envoy = AccessLogFormat.envoyDefault();
    AccessLogFormat istio = AccessLogFormat.istioText();
    AccessLogFormat istioJson = AccessLogFormat.istioJson();
    return envoy.format(http("GET", "/a", 200, 10, null, "10.0.0.1:80", 1))
        + envoy.format(http("GET", "/b", 503, 250, "x", "10.0.0.2:80", 2,
            ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED, ResponseFlag.UPSTREAM_CONNECTION_FAILURE))
        + istio.format(http("POST", "/c", 200, 40, "outbound|80||api", "10.0.0.1:80", 1))
        + istio.format(http("GET", "/d", 504, 15000, "outbound|80||api", "10.0.0.1:80", 1,
            ResponseFlag.UPSTREAM_REQUEST_TIMEOUT))
        + istio.format(http("GET", "/e", 404, 1, null, null, 0, ResponseFlag.NO_ROUTE_FOUND))
        + istioJson.format(http("GET", "/f", 503, 300, "outbound|443||ext", "10.0.0.3:443", 2,
            ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED))
        + "\n"
        + json(http("GET", "/g", 503, 3000, "outbound|443||ext", "10.0.0.3:443", 3,
            ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED, ResponseFlag.UPSTREAM_CONNECTION_FAILURE))
        + json(http("GET", "/h", 200, 20, "outbound|443||ext", "10.0.0.4:443", 2))
        + istio.format(tcp)
        + "this is not an access log line\n";
  }

  static final String EXPECTED = """
      lines: 10 (envoy 2, istio 4, json 3, not recognised 1)

      status classes:
        5xx  4
        2xx  3
        0    1
        4xx  1

      response flags:
        URX  4
        -    3
        UF   3
        NR   1
        UT   1

      clusters:
        -                  3
        outbound|443||ext  3
        outbound|80||api   2
        outbound|5432||db  1

      upstream hosts:
        10.0.0.1:80    3
        10.0.0.3:443   2
        -              1
        10.0.0.2:80    1
        10.0.0.4:443   1
        10.0.0.5:5432  1

      slowest requests:
        15000 ms  GET /d  504  UT
         3000 ms  GET /g  503  URX,UF
          300 ms  GET /f  503  URX
          250 ms  GET /b  503  URX,UF
           40 ms  POST /c  200  -
           20 ms  GET /h  200  -
           10 ms  GET /a  200  -
            5 ms  - -  0  UF,URX
            1 ms  GET /e  404  NR

      retries:
        retried requests  5  (attempt_count > 1: 2, URX without attempt_count: 3)
        retry attempts    3  (from attempt_count)
      """;

  @Test
  void summarisesAMixedLogExactly() throws Exception {
    LogSummary s = LogSummary.read(new BufferedReader(new StringReader(generatedLog())));
    assertThat(s.render()).isEqualTo(EXPECTED);
  }

  @Test
  void eachFormatIsRecognisedPerLine() {
    String[] lines = generatedLog().split("\n");
    assertThat(LogLine.parse(lines[0]).format()).isEqualTo(LogLine.Format.ENVOY);
    assertThat(LogLine.parse(lines[2]).format()).isEqualTo(LogLine.Format.ISTIO);
    assertThat(LogLine.parse(lines[5]).format()).isEqualTo(LogLine.Format.JSON);
    LogLine istio = LogLine.parse(lines[3]);
    assertThat(istio.cluster()).isEqualTo("outbound|80||api");
    assertThat(istio.durationMillis()).isEqualTo(15000);
    assertThat(istio.attemptCount()).isNull();
    assertThat(LogLine.parse(lines[7]).attemptCount()).isEqualTo(3);
    assertThat(LogLine.parse("this is not an access log line")).isNull();
    assertThat(LogLine.parse("{\"hello\":1}")).isNull();
    assertThat(LogLine.parse("[2025-06-30T02:48:20.634Z] \"GET / HTTP/1.1\" 200 -")).isNull();
  }

  @Test
  void legacyStringJsonIsRead() {
    LogLine l = LogLine.parse("{\"response_code\":\"503\",\"response_flags\":\"UF\","
        + "\"duration\":\"12\",\"upstream_cluster\":\"-\",\"upstream_host\":\"1.2.3.4:80\","
        + "\"method\":\"GET\",\"path\":\"/x\",\"upstream_request_attempt_count\":\"1\"}");
    assertThat(l.status()).isEqualTo(503);
    assertThat(l.cluster()).isNull();
    assertThat(l.durationMillis()).isEqualTo(12);
    assertThat(l.attemptCount()).isEqualTo(1);
  }

  @Test
  void readsAFileOrStandardInput(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, generatedLog());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(LogSummary.run(file.toString(), InputStreamOf.empty(), o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
    out.reset();
    assertThat(LogSummary.run("-", new ByteArrayInputStream(
        generatedLog().getBytes(StandardCharsets.UTF_8)), o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
    assertThat(err.size()).isZero();
  }

  @Test
  void missingFileIsAnErrorWithExitStatusOne(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LogSummary.run(dir.resolve("nope.log").toString(), InputStreamOf.empty(),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no such file").contains("nope.log");
  }

  @Test
  void emptyInputSaysNothingWasRecognised() throws Exception {
    String s = LogSummary.read(new BufferedReader(new StringReader(""))).render();
    assertThat(s).startsWith("lines: 0 (envoy 0, istio 0, json 0, not recognised 0)\n")
        .contains("status classes:\n  (none)\n")
        .endsWith("no line was recognised as Envoy default, Istio text or JSON access-log format\n");
  }

  /** Empty standard input. */
  private static final class InputStreamOf {
    static ByteArrayInputStream empty() {
      return new ByteArrayInputStream(new byte[0]);
    }
  }
}
