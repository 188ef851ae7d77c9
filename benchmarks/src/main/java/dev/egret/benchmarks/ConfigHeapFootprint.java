package dev.egret.benchmarks;

import dev.egret.core.config.RuntimeConfig;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Prints the heap retained by the {@link ConfigCompileBenchmark} bootstrap (1,000 clusters, 5,000
 * routes): the proto itself, and what compiling it adds (runtime objects and their stats). Measured as
 * used heap after full GCs, before and after, so it is an estimate to a few hundred KB; run it in a
 * fresh JVM ({@code run-jmh.sh --heap}).
 */
public final class ConfigHeapFootprint {
  private ConfigHeapFootprint() {}

  /** Measured footprint in bytes. */
  record Footprint(long protoBytes, long compiledBytes) {}

  public static void main(String[] args) throws Exception {
    // compile once first so that class metadata and lazily built statics are not counted
    ConfigCompileBenchmark.compile(Fixtures.bootstrap(10, 10), new Stats());
    Footprint f = measure();
    System.out.printf("bootstrap: %d clusters, %d routes%n", ConfigCompileBenchmark.CLUSTERS,
        ConfigCompileBenchmark.VHOSTS * Fixtures.ROUTES_PER_VHOST);
    System.out.printf("heap retained by the Bootstrap proto:              %,10d bytes (%.1f MiB)%n",
        f.protoBytes(), f.protoBytes() / 1048576.0);
    System.out.printf("heap retained by the compiled config and its stats: %,10d bytes (%.1f MiB)%n",
        f.compiledBytes(), f.compiledBytes() / 1048576.0);
  }

  static Footprint measure() throws Exception {
    long base = usedAfterGc();
    Bootstrap bootstrap = Fixtures.bootstrap(ConfigCompileBenchmark.CLUSTERS, ConfigCompileBenchmark.VHOSTS);
    long withProto = usedAfterGc();
    Stats stats = new Stats();
    RuntimeConfig config = ConfigCompileBenchmark.compile(bootstrap, stats);
    long withCompiled = usedAfterGc();
    // keep everything reachable until the last measurement
    if (config.bootstrap() != bootstrap || stats.clusters().size() < ConfigCompileBenchmark.CLUSTERS) {
      throw new IllegalStateException("unexpected compile result");
    }
    return new Footprint(withProto - base, withCompiled - withProto);
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // a few rounds: the used figure settles once nothing more is collectable
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
