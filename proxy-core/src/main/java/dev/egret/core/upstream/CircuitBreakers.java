package dev.egret.core.upstream;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's circuit breakers (Envoy's {@code circuit_breakers}, default priority): limits on open
 * connections, requests waiting for a connection, requests in flight and retries in flight, shared by
 * every event loop. Counters are atomics; a {@code try…} that would exceed its limit changes nothing
 * and returns false, and the caller answers 503 {@code UO} with {@code x-envoy-overloaded: true} (or,
 * for connections, lets the request wait). The limits come from the cluster's configuration; the
 * counters are this object's, one per running cluster.
 *
 * <p>Only default-priority thresholds apply: Egret routes every request at default priority, so
 * HIGH-priority thresholds are accepted and can never be reached.
 */
public final class CircuitBreakers {
  static final int DEFAULT_MAX = 1024;
  static final int DEFAULT_MAX_RETRIES = 3;

  /**
   * The configured limits (immutable; part of the cluster's configuration).
   *
   * @param budgetPercent {@code retry_budget.budget_percent}, or a negative value when there is no budget
   */
  public record Limits(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries,
      double budgetPercent, int minRetryConcurrency) {
    /** Envoy's defaults: 1024 connections, pending requests and requests; 3 retries; no budget. */
    public static final Limits DEFAULTS = new Limits(DEFAULT_MAX, DEFAULT_MAX, DEFAULT_MAX, DEFAULT_MAX_RETRIES, -1, 0);

    /** The default-priority limits of {@code proto}, recording unsupported fields. */
    public static Limits compile(io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers proto, ConfigPath at) {
      Fields.allowOnly(proto, at, Set.of("thresholds"));
      Limits result = DEFAULTS;
      for (int i = 0; i < proto.getThresholdsCount(); i++) {
        Thresholds t = proto.getThresholds(i);
        ConfigPath ta = at.field("thresholds").index(i);
        Fields.allowOnly(t, ta, Set.of("priority", "max_connections", "max_pending_requests", "max_requests",
            "max_retries", "retry_budget", "track_remaining"));
        double budget = -1;
        int minConcurrency = 3;
        if (t.hasRetryBudget()) {
          Fields.allowOnly(t.getRetryBudget(), ta.field("retry_budget"), Set.of("budget_percent", "min_retry_concurrency"));
          budget = t.getRetryBudget().hasBudgetPercent() ? t.getRetryBudget().getBudgetPercent().getValue() : 20.0;
          if (t.getRetryBudget().hasMinRetryConcurrency()) {
            minConcurrency = t.getRetryBudget().getMinRetryConcurrency().getValue();
          }
        }
        if (t.getPriority() == RoutingPriority.DEFAULT) {
          result = new Limits(
              t.hasMaxConnections() ? clamp(t.getMaxConnections().getValue()) : DEFAULT_MAX,
              t.hasMaxPendingRequests() ? clamp(t.getMaxPendingRequests().getValue()) : DEFAULT_MAX,
              t.hasMaxRequests() ? clamp(t.getMaxRequests().getValue()) : DEFAULT_MAX,
              t.hasMaxRetries() ? clamp(t.getMaxRetries().getValue()) : DEFAULT_MAX_RETRIES,
              budget, minConcurrency);
        }
      }
      return result;
    }

    private static int clamp(int unsignedValue) {
      return unsignedValue < 0 ? Integer.MAX_VALUE : unsignedValue; // Istio sends 2^32-1 for "no limit"
    }
  }

  private final Limits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();

  public CircuitBreakers(Limits limits) {
    this.limits = java.util.Objects.requireNonNull(limits, "limits");
  }

  public Limits limits() {
    return limits;
  }

  // ---- requests in flight (max_requests)

  public boolean tryStartRequest() {
    return tryAcquire(requests, limits.maxRequests());
  }

  public void requestDone() {
    requests.decrementAndGet();
  }

  // ---- requests waiting for a connection (max_pending_requests)

  public boolean tryStartPending() {
    return tryAcquire(pending, limits.maxPendingRequests());
  }

  public void pendingDone() {
    pending.decrementAndGet();
  }

  // ---- connections (max_connections)

  public boolean canOpenConnection() {
    return connections.get() < limits.maxConnections();
  }

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  // ---- retries in flight (max_retries or retry_budget)

  /** Takes a retry slot: {@code max_retries}, or with a budget max(min, percent × (active + pending)). */
  public boolean tryStartRetry() {
    int limit = limits.budgetPercent() < 0 ? limits.maxRetries()
        : Math.max(limits.minRetryConcurrency(),
            (int) (limits.budgetPercent() / 100.0 * (requests.get() + pending.get())));
    return tryAcquire(retries, limit);
  }

  public void retryDone() {
    retries.decrementAndGet();
  }

  private static boolean tryAcquire(AtomicInteger counter, int limit) {
    if (counter.incrementAndGet() > limit) {
      counter.decrementAndGet();
      return false;
    }
    return true;
  }
}
