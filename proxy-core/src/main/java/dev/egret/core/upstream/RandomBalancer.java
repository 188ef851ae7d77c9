package dev.egret.core.upstream;

import java.util.random.RandomGenerator;

/** RANDOM: a host drawn with probability proportional to its weight. */
final class RandomBalancer implements LoadBalancer {
  private final RandomGenerator random;

  RandomBalancer(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public Host choose(HostSet hosts) {
    int n = hosts.size();
    if (n <= 1) {
      return n == 0 ? null : hosts.get(0);
    }
    return pick(hosts, LoadBalancer.orThreadLocal(random));
  }

  /** One weighted draw; uniform when all weights are equal. */
  static Host pick(HostSet hosts, RandomGenerator r) {
    if (hosts.equalWeights()) {
      return hosts.get(r.nextInt(hosts.size()));
    }
    return hosts.byWeight(r.nextLong(hosts.totalWeight()));
  }
}
