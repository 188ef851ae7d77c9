package dev.egret.core.http.filter;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;

/**
 * What a filter's configuration is compiled in: the stat store and the connection manager's
 * {@code stat_prefix}, so a filter's stats land under {@code http.<stat_prefix>.…} as Envoy's do.
 */
public record FilterContext(Stats stats, String statPrefix) {
  public FilterContext {
    requireNonNull(stats, "stats");
    requireNonNull(statPrefix, "statPrefix");
  }

  /** The counter {@code http.<stat_prefix>.<name>} (e.g. {@code rbac.allowed}). */
  public StatCounter counter(String name) {
    return stats.httpCounter(statPrefix, name);
  }
}
