package dev.egret.core.admin;

/**
 * The circuit-breaker limits of one routing priority, as {@code /clusters} lists them
 * ({@code web::default_priority::max_connections::1024}). {@link #DEFAULTS} are Envoy's defaults.
 */
public record CircuitBreakerThresholds(
    long maxConnections, long maxPendingRequests, long maxRequests, long maxRetries) {

  /** Envoy's defaults when a cluster sets no thresholds: 1024 / 1024 / 1024 / 3. */
  public static final CircuitBreakerThresholds DEFAULTS = new CircuitBreakerThresholds(1024, 1024, 1024, 3);
}
