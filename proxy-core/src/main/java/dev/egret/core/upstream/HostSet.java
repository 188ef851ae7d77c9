package dev.egret.core.upstream;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable snapshot of a cluster's hosts, in a stable order, with the cumulative weights the
 * weighted balancers need. A cluster publishes a new snapshot when its membership changes; readers
 * hold on to the snapshot they read.
 */
public final class HostSet {
  /** The snapshot of a cluster that has no hosts (yet). */
  public static final HostSet EMPTY = new HostSet(List.of());

  private final List<Host> hosts;
  private final long[] cumulative;
  private final boolean equalWeights;

  private HostSet(List<Host> hosts) {
    this.hosts = hosts;
    this.cumulative = new long[hosts.size()];
    long sum = 0;
    boolean equal = true;
    for (int i = 0; i < hosts.size(); i++) {
      Host h = hosts.get(i);
      sum += h.weight();
      cumulative[i] = sum;
      equal &= h.weight() == hosts.get(0).weight();
    }
    this.equalWeights = equal;
  }

  /** A snapshot of {@code hosts} (copied), in that order. */
  public static HostSet of(List<Host> hosts) {
    return hosts.isEmpty() ? EMPTY : new HostSet(List.copyOf(hosts));
  }

  public List<Host> hosts() {
    return hosts;
  }

  public int size() {
    return hosts.size();
  }

  public boolean isEmpty() {
    return hosts.isEmpty();
  }

  public Host get(int index) {
    return hosts.get(index);
  }

  /** Sum of the hosts' weights. */
  public long totalWeight() {
    return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
  }

  /** Whether every host has the same weight (then the balancers can ignore weights). */
  public boolean equalWeights() {
    return equalWeights;
  }

  /** The host whose weight interval holds {@code point}, for {@code 0 <= point < totalWeight()}. */
  Host byWeight(long point) {
    int i = Arrays.binarySearch(cumulative, point + 1);
    return hosts.get(i >= 0 ? i : -i - 1);
  }

  @Override
  public String toString() {
    return hosts.toString();
  }
}
