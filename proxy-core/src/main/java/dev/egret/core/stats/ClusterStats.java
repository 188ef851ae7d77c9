package dev.egret.core.stats;

import io.micrometer.core.instrument.Tags;

/** Envoy's {@code cluster.<name>.*} stats. Field names are Envoy's stat names. */
public final class ClusterStats {
  public final StatCounter upstreamRqTotal;
  public final StatCounter upstreamRqCompleted;
  public final StatGauge upstreamRqActive;
  public final StatCounter upstreamRqPendingTotal;
  public final StatCounter upstreamRqTimeout;
  public final StatCounter upstreamCxTotal;
  public final StatGauge upstreamCxActive;
  public final StatCounter upstreamCxConnectFail;
  public final StatCounter upstreamCxConnectTimeout;
  public final StatCounter upstreamCxHttp1Total;
  public final StatCounter upstreamCxHttp2Total;
  public final StatCounter upstreamCxDestroy;
  public final StatCounter upstreamRqRxReset;
  public final StatCounter upstreamRqPendingOverflow;
  public final StatCounter upstreamCxOverflow;
  public final StatCounter upstreamRqRetryOverflow;
  public final StatCounter upstreamRqRetry;
  public final StatCounter upstreamRqRetrySuccess;
  public final StatCounter upstreamRqRetryLimitExceeded;
  public final StatCounter upstreamRqPerTryTimeout;
  public final StatCounter retryOrShadowAbandoned;
  public final StatCounter membershipChange;
  public final StatCounter updateAttempt;
  public final StatCounter updateSuccess;
  public final StatCounter updateFailure;
  public final StatCounter lbHealthyPanic;
  public final StatGauge outlierEjectionsActive;
  public final StatCounter outlierEjectionsEnforcedTotal;
  public final StatCounter outlierEjectionsOverflow;
  public final StatCounter outlierEjectionsEnforcedConsecutive5xx;
  public final StatCounter outlierEjectionsDetectedConsecutive5xx;
  public final StatCounter outlierEjectionsEnforcedConsecutiveGatewayFailure;
  public final StatCounter outlierEjectionsDetectedConsecutiveGatewayFailure;
  public final StatCounter outlierEjectionsEnforcedConsecutiveLocalOriginFailure;
  public final StatCounter outlierEjectionsDetectedConsecutiveLocalOriginFailure;
  private final StatCounter[] upstreamRqXx;

  ClusterStats(Stats stats, String name) {
    Tags t = Tags.of("envoy_cluster_name", name);
    upstreamRqTotal = stats.counter("envoy.cluster.upstream_rq_total", t);
    upstreamRqCompleted = stats.counter("envoy.cluster.upstream_rq_completed", t);
    upstreamRqActive = stats.gauge("envoy.cluster.upstream_rq_active", t);
    upstreamRqPendingTotal = stats.counter("envoy.cluster.upstream_rq_pending_total", t);
    upstreamRqTimeout = stats.counter("envoy.cluster.upstream_rq_timeout", t);
    upstreamCxTotal = stats.counter("envoy.cluster.upstream_cx_total", t);
    upstreamCxActive = stats.gauge("envoy.cluster.upstream_cx_active", t);
    upstreamCxConnectFail = stats.counter("envoy.cluster.upstream_cx_connect_fail", t);
    upstreamCxConnectTimeout = stats.counter("envoy.cluster.upstream_cx_connect_timeout", t);
    upstreamCxHttp1Total = stats.counter("envoy.cluster.upstream_cx_http1_total", t);
    upstreamCxHttp2Total = stats.counter("envoy.cluster.upstream_cx_http2_total", t);
    upstreamCxDestroy = stats.counter("envoy.cluster.upstream_cx_destroy", t);
    upstreamRqRxReset = stats.counter("envoy.cluster.upstream_rq_rx_reset", t);
    upstreamRqPendingOverflow = stats.counter("envoy.cluster.upstream_rq_pending_overflow", t);
    upstreamCxOverflow = stats.counter("envoy.cluster.upstream_cx_overflow", t);
    upstreamRqRetryOverflow = stats.counter("envoy.cluster.upstream_rq_retry_overflow", t);
    upstreamRqRetry = stats.counter("envoy.cluster.upstream_rq_retry", t);
    upstreamRqRetrySuccess = stats.counter("envoy.cluster.upstream_rq_retry_success", t);
    upstreamRqRetryLimitExceeded = stats.counter("envoy.cluster.upstream_rq_retry_limit_exceeded", t);
    upstreamRqPerTryTimeout = stats.counter("envoy.cluster.upstream_rq_per_try_timeout", t);
    retryOrShadowAbandoned = stats.counter("envoy.cluster.retry_or_shadow_abandoned", t);
    membershipChange = stats.counter("envoy.cluster.membership_change", t);
    updateAttempt = stats.counter("envoy.cluster.update_attempt", t);
    updateSuccess = stats.counter("envoy.cluster.update_success", t);
    updateFailure = stats.counter("envoy.cluster.update_failure", t);
    lbHealthyPanic = stats.counter("envoy.cluster.lb_healthy_panic", t);
    String od = "envoy.cluster.outlier_detection.";
    outlierEjectionsActive = stats.gauge(od + "ejections_active", t);
    outlierEjectionsEnforcedTotal = stats.counter(od + "ejections_enforced_total", t);
    outlierEjectionsOverflow = stats.counter(od + "ejections_overflow", t);
    outlierEjectionsEnforcedConsecutive5xx = stats.counter(od + "ejections_enforced_consecutive_5xx", t);
    outlierEjectionsDetectedConsecutive5xx = stats.counter(od + "ejections_detected_consecutive_5xx", t);
    outlierEjectionsEnforcedConsecutiveGatewayFailure =
        stats.counter(od + "ejections_enforced_consecutive_gateway_failure", t);
    outlierEjectionsDetectedConsecutiveGatewayFailure =
        stats.counter(od + "ejections_detected_consecutive_gateway_failure", t);
    outlierEjectionsEnforcedConsecutiveLocalOriginFailure =
        stats.counter(od + "ejections_enforced_consecutive_local_origin_failure", t);
    outlierEjectionsDetectedConsecutiveLocalOriginFailure =
        stats.counter(od + "ejections_detected_consecutive_local_origin_failure", t);
    upstreamRqXx = stats.codeClasses("envoy.cluster.upstream_rq_xx", t);
  }

  /** Counts a response from upstream by its status class. */
  public void upstreamResponse(int status) {
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) {
      upstreamRqXx[cls].inc();
    }
  }

  public long upstreamRqXx(int cls) {
    return upstreamRqXx[cls].value();
  }
}
