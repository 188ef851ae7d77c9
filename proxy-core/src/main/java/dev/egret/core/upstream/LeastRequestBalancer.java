package dev.egret.core.upstream;

import java.util.random.RandomGenerator;

/**
 * LEAST_REQUEST as "power of N choices": draw {@code choiceCount} hosts at random (with replacement,
 * weighted when weights differ) and take the one with the fewest active requests. When weights
 * differ, candidates are compared by {@code weight / (active + 1)} (Envoy's effective weight with
 * the default {@code active_request_bias} of 1.0), so a heavier host may carry more requests. Ties go
 * to the candidate drawn first.
 */
final class LeastRequestBalancer implements LoadBalancer {
  /** Envoy's default {@code choice_count}. */
  static final int DEFAULT_CHOICE_COUNT = 2;

  private final int choiceCount;
  private final RandomGenerator random;

  LeastRequestBalancer(int choiceCount, RandomGenerator random) {
    if (choiceCount < 2) {
      throw new IllegalArgumentException("choice_count must be at least 2: " + choiceCount);
    }
    this.choiceCount = choiceCount;
    this.random = random;
  }

  @Override
  public Host choose(HostSet hosts) {
    int n = hosts.size();
    if (n <= 1) {
      return n == 0 ? null : hosts.get(0);
    }
    RandomGenerator r = LoadBalancer.orThreadLocal(random);
    boolean weighted = !hosts.equalWeights();
    Host best = RandomBalancer.pick(hosts, r);
    for (int i = 1; i < choiceCount; i++) {
      Host candidate = RandomBalancer.pick(hosts, r);
      if (weighted ? lighter(candidate, best) : candidate.activeRequests() < best.activeRequests()) {
        best = candidate;
      }
    }
    return best;
  }

  /** {@code a.weight/(a.active+1) > b.weight/(b.active+1)}, compared without division. */
  private static boolean lighter(Host a, Host b) {
    long left = (long) a.weight() * (Math.max(0, b.activeRequests()) + 1L);
    long right = (long) b.weight() * (Math.max(0, a.activeRequests()) + 1L);
    return left > right;
  }
}
