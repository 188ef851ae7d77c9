package dev.egret.core.upstream;

import java.util.PriorityQueue;

/**
 * One cycle of weighted round robin by earliest deadline first: host {@code i} of weight {@code w}
 * is due at {@code 1/w, 2/w, ..., w/w}, and hosts are taken in order of those deadlines (ties by
 * position). A cycle of total weight {@code W} yields exactly {@code w} picks of each host, spread
 * evenly, then starts over. Deadlines are compared as exact fractions. Not thread-safe.
 */
final class WeightedCycle {
  private final int[] weights;
  private final PriorityQueue<int[]> due; // {index, picks so far}
  private long left;

  WeightedCycle(int[] weights) {
    this.weights = weights.clone();
    this.due = new PriorityQueue<>(Math.max(1, weights.length), this::compare);
    refill();
  }

  /** Weights divided by their greatest common divisor (same cycle shape, shortest length). */
  static int[] reduced(HostSet hosts) {
    int g = 0;
    for (Host h : hosts.hosts()) {
      g = gcd(g, h.weight());
    }
    int[] out = new int[hosts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = hosts.get(i).weight() / Math.max(1, g);
    }
    return out;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** The index of the next host. */
  int next() {
    if (left == 0) {
      refill();
    }
    int[] e = due.poll();
    left--;
    e[1]++;
    if (e[1] < weights[e[0]]) {
      due.add(e);
    }
    return e[0];
  }

  private void refill() {
    due.clear();
    left = 0;
    for (int i = 0; i < weights.length; i++) {
      due.add(new int[] {i, 0});
      left += weights[i];
    }
  }

  /** Next deadlines (picks+1)/w compared exactly: a/b vs c/d as a*d vs c*b. */
  private int compare(int[] x, int[] y) {
    long lhs = (x[1] + 1L) * weights[y[0]];
    long rhs = (y[1] + 1L) * weights[x[0]];
    int c = Long.compare(lhs, rhs);
    return c != 0 ? c : Integer.compare(x[0], y[0]);
  }
}
