package dev.egret.core.stats;

import io.micrometer.core.instrument.Tags;

/** Envoy's {@code listener.<address>.*} stats; the address is written {@code 127.0.0.1_8080}. */
public final class ListenerStats {
  public final StatCounter downstreamCxTotal;
  public final StatGauge downstreamCxActive;
  public final StatCounter noFilterChainMatch;
  /** Connections closed at accept: the listener's connection limit was reached. */
  public final StatCounter downstreamCxOverflow;
  /** Connections closed at accept: the global connection limit was reached. */
  public final StatCounter downstreamGlobalCxOverflow;
  /** Connections closed at accept by the overload manager ({@code reject_incoming_connections}). */
  public final StatCounter downstreamCxOverloadReject;
  /** Connections closed because their listener filters did not finish in time. */
  public final StatCounter downstreamPreCxTimeout;

  ListenerStats(Stats stats, String address) {
    Tags t = Tags.of("envoy_listener_address", address);
    downstreamCxTotal = stats.counter("envoy.listener.downstream_cx_total", t);
    downstreamCxActive = stats.gauge("envoy.listener.downstream_cx_active", t);
    noFilterChainMatch = stats.counter("envoy.listener.no_filter_chain_match", t);
    downstreamCxOverflow = stats.counter("envoy.listener.downstream_cx_overflow", t);
    downstreamGlobalCxOverflow = stats.counter("envoy.listener.downstream_global_cx_overflow", t);
    downstreamCxOverloadReject = stats.counter("envoy.listener.downstream_cx_overload_reject", t);
    downstreamPreCxTimeout = stats.counter("envoy.listener.downstream_pre_cx_timeout", t);
  }
}
