package dev.egret.benchmarks;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import dev.egret.filters.rbac.RbacEngine;
import dev.egret.filters.rbac.RbacFilterFactory;
import dev.egret.filters.rbac.RbacFilterProvider;
import dev.egret.filters.rbac.RbacRequest;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * RBAC evaluation of an Istio-style policy set: 20 ALLOW policies (host, method and path rules,
 * principals by peer SPIFFE identity), the last also gated by a CEL {@code condition}; the request
 * matches only that last policy, so every policy is tried. {@code withView} includes building the
 * request view, as the filter does per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RbacBenchmark {
  @Param({"true", "false"})
  public boolean celCondition;

  private RbacEngine engine;
  private HttpHeaders headers;
  private RbacRequest request;

  @Setup
  public void setup() throws Exception {
    StringBuilder y = new StringBuilder("rules:\n  policies:\n");
    for (int i = 0; i < 20; i++) {
      y.append("    ns[egress]-policy[p").append(i < 10 ? "0" : "").append(i).append("]-rule[0]:\n")
          .append("      permissions:\n      - and_rules: { rules: [\n")
          .append("          { or_rules: { rules: [ { header: { name: \":authority\", string_match: { exact: host")
          .append(i).append(".example, ignore_case: true } } } ] } },\n")
          .append("          { or_rules: { rules: [ { header: { name: \":method\", string_match: { exact: GET } } } ] } },\n")
          .append("          { or_rules: { rules: [ { url_path: { path: { prefix: /api/v").append(i).append(" } } } ] } } ] }\n")
          .append("      principals:\n      - and_ids: { ids: [ { or_ids: { ids: [ { authenticated: { principal_name: ")
          .append("{ exact: \"spiffe://cluster.local/ns/app/sa/client").append(i).append("\" } } } ] } } ] }\n");
      if (i == 19 && celCondition) {
        y.append("      condition: { id: 4, call_expr: { function: startsWith, target: { id: 2, select_expr: ")
            .append("{ field: address, operand: { id: 1, ident_expr: { name: source } } } }, ")
            .append("args: [ { id: 3, const_expr: { string_value: \"10.\" } } ] } }\n");
      }
    }
    RBAC proto = BootstrapLoader.parse(y.toString(), "bench", RBAC.newBuilder()).build();
    ConfigPath at = ConfigPath.root("rbac");
    RbacFilterFactory f = RbacFilterProvider.compile(proto, at);
    at.throwIfErrors();
    engine = f.engine();
    headers = new DefaultHttpHeaders().add("host", "host19.example").add("user-agent", "bench");
    request = view();
    if (!engine.evaluate(request).allowed()) {
      throw new IllegalStateException("the request should match the last policy");
    }
  }

  private RbacRequest view() {
    return RbacRequest.builder("GET", headers).authority("host19.example").path("/api/v19/items?x=1")
        .sourceAddress(new InetSocketAddress("10.1.2.3", 40000))
        .localAddress(new InetSocketAddress("10.9.9.9", 15008)).tls(true)
        .peerUriSans(List.of("spiffe://cluster.local/ns/app/sa/client19")).build();
  }

  @Benchmark
  public boolean evaluate() {
    return engine.evaluate(request).allowed();
  }

  @Benchmark
  public boolean withView() {
    return engine.evaluate(view()).allowed();
  }
}
