package dev.egret.filters.fault;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A compiled {@code envoy.extensions.filters.http.fault.v3.HTTPFault}: the filter's own configuration
 * or a route's replacement for it ({@code typed_per_filter_config}, as Istio sends VirtualService
 * fault injection).
 *
 * @param delayMillis      {@code delay.fixed_delay}; 0 = no delay
 * @param delayPerMillion  share of requests delayed ({@code delay.percentage}), in millionths
 * @param abortStatus      {@code abort.http_status}; 0 = no abort
 * @param grpcStatus       {@code abort.grpc_status}; -1 = none
 * @param abortPerMillion  share of requests aborted ({@code abort.percentage}), in millionths
 * @param headers          all must match for a fault to apply ({@code headers})
 * @param maxActiveFaults  {@code max_active_faults}; -1 = unlimited
 */
record FaultConfig(long delayMillis, int delayPerMillion, int abortStatus, int grpcStatus, int abortPerMillion,
    List<FaultHeaderMatch> headers, long maxActiveFaults) {
  /** An empty {@code HTTPFault}, as Istio lists the filter: nothing is ever injected. */
  static final FaultConfig NONE = new FaultConfig(0, 0, 0, -1, 0, List.of(), -1);

  FaultConfig {
    headers = List.copyOf(requireNonNull(headers, "headers"));
  }

  boolean hasDelay() {
    return delayMillis > 0 && delayPerMillion > 0;
  }

  boolean hasAbort() {
    return (abortStatus > 0 || grpcStatus >= 0) && abortPerMillion > 0;
  }
}
