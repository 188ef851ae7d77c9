package dev.egret.core.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonically increasing Envoy counter. Increments are a single {@link LongAdder} add: safe from
 * any event loop, no lock, no allocation.
 */
public final class StatCounter {
  private final LongAdder value = new LongAdder();

  public void inc() {
    value.increment();
  }

  public void add(long n) {
    value.add(n);
  }

  public long value() {
    return value.sum();
  }
}
