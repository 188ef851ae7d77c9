package dev.egret.benchmarks;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.route.RouteTable;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
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
 * Route selection in a 1,000-virtual-host × 5-route table (exact domain, wildcard domain, miss): paid
 * on every request before anything is forwarded, so it must stay flat as meshes grow.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {
  private RouteTable table;
  private HttpHeaders headers;
  // fields, not constants, so the JIT cannot fold the lookups
  private String exactHost = "svc500.example.com";
  private byte[] exactHostBytes = exactHost.getBytes(StandardCharsets.US_ASCII);
  private String exactPath = "/api/v1/items?page=2";
  private String wildcardHost = "shop.t730.example.org";
  private String wildcardPath = "/users/42/orders";
  private String missHost = "unknown.example.net";
  private String missPath = "/";

  @Setup
  public void setup() {
    ConfigPath at = ConfigPath.root("route_config");
    table = RouteTable.compile(Fixtures.routes(1000, 1000), at, c -> true);
    if (table == null) {
      throw new IllegalStateException(at.errors().toString());
    }
    headers = new DefaultHttpHeaders();
    headers.add("user-agent", "curl/8.5.0");
    headers.add("accept", "*/*");
    // each lookup must land where it claims to, or the numbers measure something else
    expect(exactDomain(), "vh-500", Fixtures.clusterFor(500, 3, 1000));
    expect(exactDomainFreshAuthority(), "vh-500", Fixtures.clusterFor(500, 3, 1000));
    expect(wildcardDomain(), "vh-730", Fixtures.clusterFor(730, 2, 1000));
    if (miss() != null) {
      throw new IllegalStateException("unknown host must miss");
    }
  }

  private void expect(RouteEntry r, String vhost, String cluster) {
    if (r == null || !r.virtualHostName().equals(vhost) || !r.clusterName(headers, 0).equals(cluster)) {
      throw new IllegalStateException("expected " + vhost + " → " + cluster + ", got " + r);
    }
  }

  /** Exact domain; the path fails the path, header and regex routes and matches the 4th (prefix /api/). */
  @Benchmark
  public RouteEntry exactDomain() {
    return table.route(exactHost, exactPath, headers);
  }

  /**
   * As {@link #exactDomain}, with the authority a new string each time (as the decoder makes it), so
   * its hash code is computed rather than cached.
   */
  @Benchmark
  public RouteEntry exactDomainFreshAuthority() {
    return table.route(new String(exactHostBytes, StandardCharsets.US_ASCII), exactPath, headers);
  }

  /** Suffix-wildcard domain; matches the 3rd route (regex). */
  @Benchmark
  public RouteEntry wildcardDomain() {
    return table.route(wildcardHost, wildcardPath, headers);
  }

  /** No virtual host: the 404 NR path. */
  @Benchmark
  public RouteEntry miss() {
    return table.route(missHost, missPath, headers);
  }
}
