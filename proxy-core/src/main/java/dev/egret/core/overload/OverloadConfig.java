package dev.egret.core.overload;

import java.util.List;
import java.util.Map;

/**
 * The compiled bootstrap {@code overload_manager} plus the connection limits Egret reads from the
 * bootstrap's {@code layered_runtime} static layers (Envoy keeps them in runtime).
 *
 * @param refreshMillis          {@code refresh_interval} (1 s by default, as Envoy's)
 * @param maxHeapBytes           {@code envoy.resource_monitors.fixed_heap}'s {@code max_heap_size_bytes}; 0 when
 *                               that monitor is not configured
 * @param maxGlobalConnections   downstream connections allowed on all listeners together:
 *                               {@code envoy.resource_monitors.global_downstream_max_connections}'s
 *                               {@code max_active_downstream_connections}, else runtime
 *                               {@code overload.global_downstream_max_connections}, else 50 000
 * @param listenerConnectionLimits runtime {@code envoy.resource_limits.listener.<name>.connection_limit}, by
 *                               listener name
 * @param actions                overload actions by name, each with its triggers
 * @param prematureResetTotalStreams runtime {@code overload.premature_reset_total_stream_count}; -1 when unset
 * @param prematureResetMinLifetimeMillis runtime {@code overload.premature_reset_min_stream_lifetime_seconds}
 *                               in milliseconds; -1 when unset
 */
public record OverloadConfig(
    long refreshMillis,
    long maxHeapBytes,
    long maxGlobalConnections,
    Map<String, Long> listenerConnectionLimits,
    Map<String, List<Trigger>> actions,
    long prematureResetTotalStreams,
    long prematureResetMinLifetimeMillis) {

  /** Egret's default global connection limit (hardening.md §1). */
  public static final long DEFAULT_MAX_GLOBAL_CONNECTIONS = 50_000;

  /** No overload manager and no per-listener limits: only the default global connection limit. */
  public static final OverloadConfig DEFAULT =
      new OverloadConfig(1000, 0, DEFAULT_MAX_GLOBAL_CONNECTIONS, Map.of(), Map.of());

  /** Without premature-reset runtime overrides. */
  public OverloadConfig(long refreshMillis, long maxHeapBytes, long maxGlobalConnections,
      Map<String, Long> listenerConnectionLimits, Map<String, List<Trigger>> actions) {
    this(refreshMillis, maxHeapBytes, maxGlobalConnections, listenerConnectionLimits, actions, -1, -1);
  }

  /** {@code limits} with the premature-reset runtime values, where set. */
  public dev.egret.core.http.Http2FloodLimits applyRuntime(dev.egret.core.http.Http2FloodLimits limits) {
    if (prematureResetTotalStreams < 0 && prematureResetMinLifetimeMillis < 0) {
      return limits;
    }
    return limits.withPrematureReset(
        prematureResetTotalStreams >= 0 ? (int) Math.min(Integer.MAX_VALUE, Math.max(1, prematureResetTotalStreams))
            : limits.prematureResetTotalStreams(),
        prematureResetMinLifetimeMillis >= 0 ? prematureResetMinLifetimeMillis : limits.prematureResetMinLifetimeMillis());
  }

  public OverloadConfig {
    listenerConnectionLimits = Map.copyOf(listenerConnectionLimits);
    actions = Map.copyOf(actions);
  }
}
