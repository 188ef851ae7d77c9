package dev.egret.core.upstream;

/** The load-balancing policies Egret implements (Envoy's {@code Cluster.LbPolicy} subset). */
public enum LbPolicy {
  /** Weighted round robin: over a full cycle each host is picked exactly in proportion to its weight. */
  ROUND_ROBIN,
  /** Power of N random choices (N = {@code choice_count}, default 2), the least busy one wins. */
  LEAST_REQUEST,
  /** Weighted random. */
  RANDOM,
  /** The cluster picks (ORIGINAL_DST clusters). */
  CLUSTER_PROVIDED
}
