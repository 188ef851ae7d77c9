package dev.egret.benchmarks;

import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.config.ConfigCompiler;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.RuntimeConfig;
import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;
import dev.egret.core.upstream.DnsResolverFactory;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
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
 * One compilation of a bootstrap with 1,000 STATIC clusters and 5,000 routes (1,000 virtual hosts × 5)
 * through {@code ConfigCompiler}, stats registration included: how long a large config push takes to
 * become runnable (target ≤ 1 s). Single-shot, so the early iterations show the cold cost a
 * freshly started Egret pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class ConfigCompileBenchmark {
  /** Clusters in the bootstrap. */
  static final int CLUSTERS = 1000;
  /** Virtual hosts in the bootstrap, each with {@link Fixtures#ROUTES_PER_VHOST} routes. */
  static final int VHOSTS = 1000;

  /** The static clusters resolve nothing; a DNS lookup would be a fixture bug. */
  static final DnsResolverFactory NO_DNS = loop -> {
    throw new IllegalStateException("the benchmark bootstrap has no DNS clusters");
  };

  private Bootstrap bootstrap;

  @Setup
  public void setup() {
    bootstrap = Fixtures.bootstrap(CLUSTERS, VHOSTS);
  }

  /** Compiles the bootstrap with fresh stats, as a new configuration is compiled. */
  @Benchmark
  public RuntimeConfig compile1000Clusters5000Routes() throws ConfigException {
    return compile(bootstrap, new Stats());
  }

  static RuntimeConfig compile(Bootstrap bootstrap, Stats stats) throws ConfigException {
    RuntimeConfig config = ConfigCompiler.compile(bootstrap, stats, AccessLogWriter.checkOnly(new StatCounter()), NO_DNS);
    if (config.clusters().size() != bootstrap.getStaticResources().getClustersCount()
        || config.listeners().size() != 1) {
      throw new IllegalStateException("compiled " + config.clusters().size() + " clusters, "
          + config.listeners().size() + " listeners");
    }
    return config;
  }
}
