package dev.egret.core.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * ROUND_ROBIN honouring weights. Equal weights: a shared atomic position over the hosts. Unequal
 * weights: a {@link WeightedCycle} is laid out once per host-set snapshot into an index array (lazily,
 * at the first pick that sees the snapshot) and the shared position walks it, so each pick is one
 * atomic increment and one array read. Over any whole number of cycles (total weight, reduced by the
 * weights' gcd) each host is picked exactly in proportion to its weight. Only when a cycle would be
 * longer than {@code maxSchedule} entries does the balancer step a single cycle under a lock instead.
 */
final class RoundRobinBalancer implements LoadBalancer {
  static final int DEFAULT_MAX_SCHEDULE = 8192;

  /** The layout for one snapshot: either an index array or a locked cycle. */
  private record Plan(HostSet hosts, int[] schedule, WeightedCycle cycle) {}

  private final int maxSchedule;
  private final AtomicLong position = new AtomicLong();
  private volatile Plan plan;

  RoundRobinBalancer(int maxSchedule) {
    this.maxSchedule = maxSchedule;
  }

  @Override
  public Host choose(HostSet hosts) {
    int n = hosts.size();
    if (n <= 1) {
      return n == 0 ? null : hosts.get(0);
    }
    if (hosts.equalWeights()) {
      return hosts.get((int) Long.remainderUnsigned(position.getAndIncrement(), n));
    }
    Plan p = plan;
    if (p == null || p.hosts != hosts) {
      p = layOut(hosts);
      plan = p;
    }
    if (p.schedule != null) {
      int[] s = p.schedule;
      return hosts.get(s[(int) Long.remainderUnsigned(position.getAndIncrement(), s.length)]);
    }
    synchronized (p.cycle) {
      return hosts.get(p.cycle.next());
    }
  }

  private Plan layOut(HostSet hosts) {
    int[] weights = WeightedCycle.reduced(hosts);
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    WeightedCycle cycle = new WeightedCycle(weights);
    if (total > maxSchedule) {
      return new Plan(hosts, null, cycle);
    }
    int[] schedule = new int[(int) total];
    for (int i = 0; i < schedule.length; i++) {
      schedule[i] = cycle.next();
    }
    return new Plan(hosts, schedule, null);
  }
}
