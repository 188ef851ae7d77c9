package dev.egret.xds;

import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter, as Envoy's gRPC streams use: the n-th retry waits a random
 * time in [0, min(max, base × 2^n)), never less than 1 ms. {@link #reset()} after the stream has
 * delivered a response.
 */
final class Backoff {
  private final long baseMillis;
  private final long maxMillis;
  private final RandomGenerator random;
  private int attempt;

  Backoff(long baseMillis, long maxMillis, RandomGenerator random) {
    if (baseMillis < 1 || maxMillis < baseMillis) {
      throw new IllegalArgumentException("base " + baseMillis + " max " + maxMillis);
    }
    this.baseMillis = baseMillis;
    this.maxMillis = maxMillis;
    this.random = random;
  }

  long nextMillis() {
    long ceiling = maxMillis;
    if (attempt < 62 && baseMillis << Math.min(attempt, 40) < maxMillis) {
      ceiling = Math.min(maxMillis, baseMillis << attempt);
    }
    attempt++;
    return Math.max(1, random.nextLong(ceiling));
  }

  void reset() {
    attempt = 0;
  }
}
