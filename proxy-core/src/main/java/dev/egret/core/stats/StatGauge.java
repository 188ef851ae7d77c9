package dev.egret.core.stats;

import java.util.concurrent.atomic.LongAdder;

/** An Envoy gauge that goes up and down (active connections, active requests). */
public final class StatGauge {
  private final LongAdder value = new LongAdder();

  public void inc() {
    value.increment();
  }

  public void dec() {
    value.decrement();
  }

  public long value() {
    return value.sum();
  }
}
