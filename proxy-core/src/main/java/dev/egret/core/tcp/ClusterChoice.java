package dev.egret.core.tcp;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Which cluster a {@code tcp_proxy} connection goes to: {@code cluster}, or one of
 * {@code weighted_clusters} picked at random in proportion to its weight, once per connection.
 *
 * @param names   cluster names (one for {@code cluster})
 * @param weights their weights, each at least 1 (ignored with one name)
 */
public record ClusterChoice(List<String> names, List<Integer> weights) {
  public ClusterChoice {
    names = List.copyOf(names);
    weights = List.copyOf(weights);
    if (names.isEmpty() || names.size() != weights.size()) {
      throw new IllegalArgumentException("names and weights must be non-empty and of one size");
    }
  }

  public static ClusterChoice single(String name) {
    return new ClusterChoice(List.of(name), List.of(1));
  }

  /** The cluster for a new connection. */
  public String pick(RandomGenerator random) {
    if (names.size() == 1) {
      return names.get(0);
    }
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    long r = random.nextLong(total);
    for (int i = 0; i < names.size(); i++) {
      r -= weights.get(i);
      if (r < 0) {
        return names.get(i);
      }
    }
    return names.get(names.size() - 1);
  }
}
