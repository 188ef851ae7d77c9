package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code RouteAction.weighted_clusters}.
 *
 * @param name   the cluster
 * @param weight its weight; 0 means it is never picked
 */
public record WeightedCluster(String name, long weight) {
  public WeightedCluster {
    requireNonNull(name, "name");
    if (weight < 0) {
      throw new IllegalArgumentException("weight " + weight);
    }
  }
}
