package dev.egret.core.http.filter;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;

/**
 * What a filter's configuration is compiled in: the stat store and the connection manager's
 * {@code stat_prefix}, so a filter's stats land under {@code http.<stat_prefix>.…} as Envoy's do, and
 * the filter's name in {@code http_filters}, under which routes give it per-route configuration.
 */
public record FilterContext(Stats stats, String statPrefix, String filterName) {
  public FilterContext {
    requireNonNull(stats, "stats");
    requireNonNull(statPrefix, "statPrefix");
    requireNonNull(filterName, "filterName");
  }

  /** A context for a filter compiled outside a connection manager's list (tests, tools). */
  public FilterContext(Stats stats, String statPrefix) {
    this(stats, statPrefix, "");
  }

  /** The same scope for another filter name. */
  public FilterContext named(String name) {
    return new FilterContext(stats, statPrefix, name);
  }

  /** The counter {@code http.<stat_prefix>.<name>} (e.g. {@code rbac.allowed}). */
  public StatCounter counter(String name) {
    return stats.httpCounter(statPrefix, name);
  }
}
