package dev.egret.core.stats;

import io.micrometer.core.instrument.Tags;

/** Envoy's {@code http.<stat_prefix>.*} stats of one HTTP connection manager. */
public final class HttpStats {
  public final StatCounter downstreamRqTotal;
  public final StatGauge downstreamRqActive;
  public final StatCounter downstreamRqHttp1Total;
  public final StatCounter downstreamRqHttp2Total;
  public final StatCounter downstreamCxTotal;
  public final StatGauge downstreamCxActive;
  public final StatCounter downstreamCxProtocolError;
  public final StatCounter downstreamRqRxReset;
  public final StatCounter downstreamRqIdleTimeout;
  public final StatCounter downstreamRqTimeout;
  public final StatCounter downstreamRqMaxDurationReached;
  public final StatCounter noRoute;
  public final StatCounter noCluster;
  /** Connections closed by the premature-reset rule (Rapid Reset, hardening.md §3). */
  public final StatCounter downstreamRqTooManyPrematureResets;
  /** Requests refused by the overload manager ({@code stop_accepting_requests}). */
  public final StatCounter downstreamRqOverloadClose;
  /** Connections told to close by the overload manager ({@code disable_http_keepalive}). */
  public final StatCounter downstreamCxOverloadDisableKeepalive;
  /** The server-wide downstream {@code http2.*} codec stats. */
  public final Http2Stats http2;
  private final StatCounter[] downstreamRqXx;

  HttpStats(Stats stats, String prefix) {
    Tags t = Tags.of("envoy_http_conn_manager_prefix", prefix);
    downstreamRqTotal = stats.counter("envoy.http.downstream_rq_total", t);
    downstreamRqActive = stats.gauge("envoy.http.downstream_rq_active", t);
    downstreamRqHttp1Total = stats.counter("envoy.http.downstream_rq_http1_total", t);
    downstreamRqHttp2Total = stats.counter("envoy.http.downstream_rq_http2_total", t);
    downstreamCxTotal = stats.counter("envoy.http.downstream_cx_total", t);
    downstreamCxActive = stats.gauge("envoy.http.downstream_cx_active", t);
    downstreamCxProtocolError = stats.counter("envoy.http.downstream_cx_protocol_error", t);
    downstreamRqRxReset = stats.counter("envoy.http.downstream_rq_rx_reset", t);
    downstreamRqIdleTimeout = stats.counter("envoy.http.downstream_rq_idle_timeout", t);
    downstreamRqTimeout = stats.counter("envoy.http.downstream_rq_timeout", t);
    downstreamRqMaxDurationReached = stats.counter("envoy.http.downstream_rq_max_duration_reached", t);
    noRoute = stats.counter("envoy.http.no_route", t);
    noCluster = stats.counter("envoy.http.no_cluster", t);
    downstreamRqTooManyPrematureResets = stats.counter("envoy.http.downstream_rq_too_many_premature_resets", t);
    downstreamRqOverloadClose = stats.counter("envoy.http.downstream_rq_overload_close", t);
    downstreamCxOverloadDisableKeepalive = stats.counter("envoy.http.downstream_cx_overload_disable_keepalive", t);
    http2 = new Http2Stats(stats);
    downstreamRqXx = stats.codeClasses("envoy.http.downstream_rq_xx", t);
  }

  public void downstreamResponse(int status) {
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) {
      downstreamRqXx[cls].inc();
    }
  }

  public long downstreamRqXx(int cls) {
    return downstreamRqXx[cls].value();
  }
}
