package dev.egret.benchmarks;

import dev.egret.core.http.HopByHop;
import dev.egret.core.http.RequestIds;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Netty {@code DefaultHttpHeaders} work one proxied request does (fill 15 headers, read the ones
 * routing and logging need, strip hop-by-hop headers, set {@code x-request-id}): the per-request
 * header cost outside the codec.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderMapBenchmark {
  /** A typical browser/API request's headers, including two hop-by-hop ones named by connection. */
  private static final String[] REQUEST = {
      "host", "api.example.com",
      "user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
      "accept", "application/json, text/plain, */*",
      "accept-encoding", "gzip, deflate, br",
      "accept-language", "en-GB,en;q=0.9",
      "connection", "keep-alive, x-debug-hop",
      "keep-alive", "timeout=5",
      "x-debug-hop", "1",
      "content-type", "application/json",
      "content-length", "348",
      "cookie", "session=4f1c2b7e9a; theme=dark",
      "authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl",
      "x-forwarded-for", "203.0.113.7",
      "x-forwarded-proto", "https",
      "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  };

  private HttpHeaders filled;

  @Setup
  public void setup() {
    filled = fill();
    HttpHeaders check = fill();
    HopByHop.strip(check);
    if (check.size() != 12 || check.contains("x-debug-hop") || check.contains("connection")) {
      throw new IllegalStateException("hop-by-hop strip did not do what the benchmark assumes: " + check);
    }
  }

  private static HttpHeaders fill() {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < REQUEST.length; i += 2) {
      h.add(REQUEST[i], REQUEST[i + 1]);
    }
    return h;
  }

  /** Filling a fresh header map with the 15 request headers (what the decoder does). */
  @Benchmark
  public HttpHeaders add15() {
    return fill();
  }

  /** Reading host, user-agent, x-forwarded-for and x-request-id (absent) from a filled map. */
  @Benchmark
  public void get4(Blackhole bh) {
    bh.consume(filled.get("host"));
    bh.consume(filled.get("user-agent"));
    bh.consume(filled.get("x-forwarded-for"));
    bh.consume(filled.get("x-request-id"));
  }

  /** A new {@code x-request-id} value. */
  @Benchmark
  public String requestId() {
    return RequestIds.next();
  }

  /** The whole sequence: fill, read, strip hop-by-hop headers, set {@code x-request-id}. */
  @Benchmark
  public HttpHeaders requestPath(Blackhole bh) {
    HttpHeaders h = fill();
    bh.consume(h.get("host"));
    bh.consume(h.get("user-agent"));
    bh.consume(h.get("x-forwarded-for"));
    HopByHop.strip(h);
    h.set("x-request-id", RequestIds.next());
    return h;
  }
}
