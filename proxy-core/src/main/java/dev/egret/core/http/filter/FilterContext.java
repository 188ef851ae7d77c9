package dev.egret.core.http.filter;

import static java.util.Objects.requireNonNull;

import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;
import java.util.function.Function;

/**
 * What a filter's configuration is compiled in: the stat store and the connection manager's
 * {@code stat_prefix}, so a filter's stats land under {@code http.<stat_prefix>.…} as Envoy's do, and
 * the filter's name in {@code http_filters}, under which routes give it per-route configuration, and
 * the configuration's clusters by name (filters that call a service, such as ext_authz, reach it
 * through a cluster; the lookup answers null for an unknown name).
 */
public record FilterContext(Stats stats, String statPrefix, String filterName,
    Function<String, ClusterRuntime> clusters) {
  private static final Function<String, ClusterRuntime> NO_CLUSTERS = name -> null;

  public FilterContext {
    requireNonNull(stats, "stats");
    requireNonNull(statPrefix, "statPrefix");
    requireNonNull(filterName, "filterName");
    requireNonNull(clusters, "clusters");
  }

  /** A context that knows no clusters. */
  public FilterContext(Stats stats, String statPrefix, String filterName) {
    this(stats, statPrefix, filterName, NO_CLUSTERS);
  }

  /** A context for a filter compiled outside a connection manager's list (tests, tools). */
  public FilterContext(Stats stats, String statPrefix) {
    this(stats, statPrefix, "");
  }

  /** The same scope for another filter name. */
  public FilterContext named(String name) {
    return new FilterContext(stats, statPrefix, name, clusters);
  }

  /** The cluster named {@code name} in the configuration being compiled, or null. */
  public ClusterRuntime cluster(String name) {
    return clusters.apply(name);
  }

  /** The counter {@code http.<stat_prefix>.<name>} (e.g. {@code rbac.allowed}). */
  public StatCounter counter(String name) {
    return stats.httpCounter(statPrefix, name);
  }
}
