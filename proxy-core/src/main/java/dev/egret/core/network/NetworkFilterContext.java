package dev.egret.core.network;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.Stats;

/**
 * What a network filter's configuration is compiled in: the stat store (network filters name their
 * own {@code stat_prefix} in their configuration) and the filter's {@code name} in the chain.
 */
public record NetworkFilterContext(Stats stats, String filterName) {
  public NetworkFilterContext {
    requireNonNull(stats, "stats");
    requireNonNull(filterName, "filterName");
  }
}
