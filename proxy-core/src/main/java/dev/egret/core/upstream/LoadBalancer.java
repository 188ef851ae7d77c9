package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Picks a host from a {@link HostSet}. One balancer serves a cluster on every event loop: {@link
 * #choose} is thread-safe, lock-free in the common cases and allocation-free.
 */
public interface LoadBalancer {
  /** A host from {@code hosts}, or null when it is empty (the router then answers 503 {@code UH}). */
  Host choose(HostSet hosts);

  /**
   * A balancer for {@code policy}.
   *
   * @param choiceCount LEAST_REQUEST's number of random candidates (at least 2); ignored otherwise
   * @param random      the random source, shared by all threads (it must be thread-safe, as
   *                    {@link java.util.Random} is); null uses {@link ThreadLocalRandom}
   */
  static LoadBalancer create(LbPolicy policy, int choiceCount, RandomGenerator random) {
    requireNonNull(policy, "policy");
    return switch (policy) {
      case ROUND_ROBIN -> new RoundRobinBalancer(RoundRobinBalancer.DEFAULT_MAX_SCHEDULE);
      case LEAST_REQUEST -> new LeastRequestBalancer(choiceCount, random);
      case RANDOM -> new RandomBalancer(random);
      // an ORIGINAL_DST cluster picks by the request's destination (UpstreamCluster#chooseHost(LbContext))
      case CLUSTER_PROVIDED -> new RandomBalancer(random);
    };
  }

  /** {@code random}, or this thread's {@link ThreadLocalRandom} when null. */
  static RandomGenerator orThreadLocal(RandomGenerator random) {
    return random != null ? random : ThreadLocalRandom.current();
  }
}
