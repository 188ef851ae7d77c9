package dev.egret.core.stats;

import io.micrometer.core.instrument.Tags;

/**
 * Envoy's {@code tcp.<stat_prefix>.*} stats of one {@code tcp_proxy}, exported as
 * {@code envoy_tcp_<name>{envoy_tcp_prefix="<stat_prefix>"}}.
 */
public final class TcpStats {
  public final StatCounter downstreamCxTotal;
  public final StatCounter downstreamCxNoRoute;
  public final StatCounter downstreamCxTxBytesTotal;
  public final StatCounter downstreamCxRxBytesTotal;
  public final StatCounter downstreamFlowControlPausedReadingTotal;
  public final StatCounter downstreamFlowControlResumedReadingTotal;
  public final StatCounter idleTimeout;
  public final StatCounter maxDownstreamConnectionDuration;
  public final StatCounter upstreamFlushTotal;
  public final StatGauge upstreamFlushActive;

  TcpStats(Stats stats, String prefix) {
    Tags t = Tags.of("envoy_tcp_prefix", prefix);
    downstreamCxTotal = stats.counter("envoy.tcp.downstream_cx_total", t);
    downstreamCxNoRoute = stats.counter("envoy.tcp.downstream_cx_no_route", t);
    downstreamCxTxBytesTotal = stats.counter("envoy.tcp.downstream_cx_tx_bytes_total", t);
    downstreamCxRxBytesTotal = stats.counter("envoy.tcp.downstream_cx_rx_bytes_total", t);
    downstreamFlowControlPausedReadingTotal =
        stats.counter("envoy.tcp.downstream_flow_control_paused_reading_total", t);
    downstreamFlowControlResumedReadingTotal =
        stats.counter("envoy.tcp.downstream_flow_control_resumed_reading_total", t);
    idleTimeout = stats.counter("envoy.tcp.idle_timeout", t);
    maxDownstreamConnectionDuration = stats.counter("envoy.tcp.max_downstream_connection_duration", t);
    upstreamFlushTotal = stats.counter("envoy.tcp.upstream_flush_total", t);
    upstreamFlushActive = stats.gauge("envoy.tcp.upstream_flush_active", t);
  }
}
