package dev.egret.benchmarks;

import dev.egret.core.accesslog.AccessLogFormat;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Formatting one completed request's access-log line in Envoy's default format, Istio's text format
 * and Istio's typed JSON: the writer thread pays this for every request while logging is on.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AccessLogFormatBenchmark {
  private StreamInfo info;
  private AccessLogFormat envoyDefault;
  private AccessLogFormat istioText;
  private AccessLogFormat istioJson;
  /** Reused, as the access-log writer reuses its line buffer. */
  private final StringBuilder line = new StringBuilder(1024);

  @Setup
  public void setup() throws UnknownHostException {
    long startNanos = 1_000_000_000L;
    info = new StreamInfo(Instant.parse("2024-05-01T12:34:56.789Z").toEpochMilli(), startNanos);
    info.setProtocol("HTTP/1.1");
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/items?page=2");
    request.headers()
        .add("host", "api.example.com")
        .add("user-agent", "curl/8.5.0")
        .add("x-forwarded-for", "203.0.113.7")
        .add("x-request-id", "6f1b6c1e-3c2a-4e8e-9d5b-2a7f0c4b9e11");
    info.setRequest(request);
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().add("content-type", "application/json").add("x-envoy-upstream-service-time", "3");
    info.setResponse(response);
    info.setResponseCodeDetails("via_upstream");
    info.addBytesSent(348);
    info.setUpstreamHost("10.0.0.12:8080");
    info.setUpstreamCluster("outbound|80||api.example.com", "api");
    info.setUpstreamLocalAddress("10.0.0.5:51234");
    info.setDownstreamAddresses(new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 15001),
        new InetSocketAddress(InetAddress.getByName("10.0.0.9"), 43210));
    info.setRouteName("default");
    info.markUpstreamHeaders(startNanos + 3_000_000L);
    info.markEnd(startNanos + 4_000_000L);
    envoyDefault = AccessLogFormat.envoyDefault();
    istioText = AccessLogFormat.istioText();
    istioJson = AccessLogFormat.istioJson();
    String check = envoyDefault.format(info);
    if (!check.startsWith("[2024-05-01T12:34:56.789Z] \"GET /api/v1/items?page=2 HTTP/1.1\" 200 ")) {
      throw new IllegalStateException("unexpected line: " + check);
    }
  }

  /** Envoy's default text format. */
  @Benchmark
  public int envoyDefault() {
    line.setLength(0);
    envoyDefault.formatTo(info, line);
    return line.length();
  }

  /** Istio's text format (more commands, including addresses). */
  @Benchmark
  public int istioText() {
    line.setLength(0);
    istioText.formatTo(info, line);
    return line.length();
  }

  /** Istio's typed JSON format (24 keys, numbers typed). */
  @Benchmark
  public int istioJson() {
    line.setLength(0);
    istioJson.formatTo(info, line);
    return line.length();
  }
}
