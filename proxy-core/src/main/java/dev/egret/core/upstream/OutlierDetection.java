package dev.egret.core.upstream;

import com.google.protobuf.util.Durations;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import java.time.Duration;
import java.util.Set;

/**
 * A cluster's compiled {@code outlier_detection} (Envoy's consecutive-failure detectors), run by an
 * {@link OutlierDetector}.
 *
 * <p>Supported: {@code consecutive_5xx} (default 5, enforcing 100 %), {@code consecutive_gateway_failure}
 * (default 5, enforcing 0 %), {@code split_external_local_origin_errors} with {@code
 * consecutive_local_origin_failure} (default 5, enforcing 100 %), {@code interval} (10 s), {@code
 * base_ejection_time} (30 s), {@code max_ejection_time} (300 s, or {@code base_ejection_time} when that
 * is larger; never less than it), {@code max_ejection_time_jitter} (0), {@code max_ejection_percent} (10
 * %), {@code always_eject_one_host} (false) and {@code successful_active_health_check_uneject_host} (has
 * no effect: Egret has no active health checks). A threshold of 0 never triggers.
 *
 * <p>Success-rate and failure-percentage detection are not implemented. Setting their enforcing
 * percentages to 0 (as Istio does for {@code enforcing_success_rate}) is accepted, any other setting
 * of their fields is rejected. Note that Envoy runs success-rate detection by default (enforcing 100 %)
 * once a cluster has at least 5 hosts with at least 100 requests each per interval; Egret does not,
 * whether or not {@code enforcing_success_rate} is set.
 *
 * @param consecutive5xx                     {@code consecutive_5xx}
 * @param consecutiveGatewayFailure          {@code consecutive_gateway_failure}
 * @param consecutiveLocalOriginFailure      {@code consecutive_local_origin_failure}
 * @param enforcingConsecutive5xx            percent chance a detected 5xx outlier is ejected
 * @param enforcingConsecutiveGatewayFailure percent chance a detected gateway-failure outlier is ejected
 * @param enforcingConsecutiveLocalOriginFailure percent chance a detected local-origin outlier is ejected
 * @param splitExternalLocalOriginErrors     whether local-origin failures are counted apart from responses
 * @param interval                           time between sweeps (un-ejection, back-off decay)
 * @param baseEjectionTime                   ejection time per step of back-off
 * @param maxEjectionTime                    longest ejection (before jitter)
 * @param maxEjectionTimeJitter              random extra ejection time, at most this much
 * @param maxEjectionPercent                 largest share of the cluster's hosts ejected at once
 * @param alwaysEjectOneHost                 whether one host may be ejected even past that share
 */
public record OutlierDetection(int consecutive5xx, int consecutiveGatewayFailure,
    int consecutiveLocalOriginFailure, int enforcingConsecutive5xx, int enforcingConsecutiveGatewayFailure,
    int enforcingConsecutiveLocalOriginFailure, boolean splitExternalLocalOriginErrors, Duration interval,
    Duration baseEjectionTime, Duration maxEjectionTime, Duration maxEjectionTimeJitter,
    int maxEjectionPercent, boolean alwaysEjectOneHost) {

  static final int DEFAULT_CONSECUTIVE = 5;
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
  static final int DEFAULT_MAX_EJECTION_PERCENT = 10;

  private static final Set<String> SUPPORTED = Set.of("consecutive_5xx", "interval", "base_ejection_time",
      "max_ejection_percent", "enforcing_consecutive_5xx", "consecutive_gateway_failure",
      "enforcing_consecutive_gateway_failure", "split_external_local_origin_errors",
      "consecutive_local_origin_failure", "enforcing_consecutive_local_origin_failure", "max_ejection_time",
      "max_ejection_time_jitter", "always_eject_one_host", "successful_active_health_check_uneject_host",
      // accepted only when 0 (detection off), see compile
      "enforcing_success_rate", "enforcing_local_origin_success_rate", "enforcing_failure_percentage",
      "enforcing_failure_percentage_local_origin");

  public OutlierDetection {
    java.util.Objects.requireNonNull(interval, "interval");
    java.util.Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
    java.util.Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
    java.util.Objects.requireNonNull(maxEjectionTimeJitter, "maxEjectionTimeJitter");
  }

  /** Envoy's defaults, as for an empty {@code outlier_detection {}}. */
  public static OutlierDetection defaults() {
    return new OutlierDetection(DEFAULT_CONSECUTIVE, DEFAULT_CONSECUTIVE, DEFAULT_CONSECUTIVE, 100, 0, 100,
        false, DEFAULT_INTERVAL, DEFAULT_BASE_EJECTION_TIME, DEFAULT_MAX_EJECTION_TIME, Duration.ZERO,
        DEFAULT_MAX_EJECTION_PERCENT, false);
  }

  /** Compiles {@code proto}; returns null after recording errors at {@code at}. */
  public static OutlierDetection compile(io.envoyproxy.envoy.config.cluster.v3.OutlierDetection proto,
      ConfigPath at) {
    int before = at.errorCount();
    Fields.allowOnly(proto, at, SUPPORTED);
    if (proto.hasEnforcingSuccessRate()) {
      mustBeZero(proto.getEnforcingSuccessRate().getValue(), at.field("enforcing_success_rate"), "success-rate");
    }
    if (proto.hasEnforcingLocalOriginSuccessRate()) {
      mustBeZero(proto.getEnforcingLocalOriginSuccessRate().getValue(),
          at.field("enforcing_local_origin_success_rate"), "success-rate");
    }
    if (proto.hasEnforcingFailurePercentage()) {
      mustBeZero(proto.getEnforcingFailurePercentage().getValue(), at.field("enforcing_failure_percentage"),
          "failure-percentage");
    }
    if (proto.hasEnforcingFailurePercentageLocalOrigin()) {
      mustBeZero(proto.getEnforcingFailurePercentageLocalOrigin().getValue(),
          at.field("enforcing_failure_percentage_local_origin"), "failure-percentage");
    }
    int c5xx = proto.hasConsecutive5Xx() ? count(proto.getConsecutive5Xx().getValue()) : DEFAULT_CONSECUTIVE;
    int cGateway = proto.hasConsecutiveGatewayFailure()
        ? count(proto.getConsecutiveGatewayFailure().getValue()) : DEFAULT_CONSECUTIVE;
    int cLocal = proto.hasConsecutiveLocalOriginFailure()
        ? count(proto.getConsecutiveLocalOriginFailure().getValue()) : DEFAULT_CONSECUTIVE;
    int e5xx = proto.hasEnforcingConsecutive5Xx()
        ? percent(proto.getEnforcingConsecutive5Xx().getValue(), at.field("enforcing_consecutive_5xx")) : 100;
    int eGateway = proto.hasEnforcingConsecutiveGatewayFailure()
        ? percent(proto.getEnforcingConsecutiveGatewayFailure().getValue(),
            at.field("enforcing_consecutive_gateway_failure")) : 0;
    int eLocal = proto.hasEnforcingConsecutiveLocalOriginFailure()
        ? percent(proto.getEnforcingConsecutiveLocalOriginFailure().getValue(),
            at.field("enforcing_consecutive_local_origin_failure")) : 100;
    int maxPercent = proto.hasMaxEjectionPercent()
        ? percent(proto.getMaxEjectionPercent().getValue(), at.field("max_ejection_percent"))
        : DEFAULT_MAX_EJECTION_PERCENT;
    Duration interval = proto.hasInterval()
        ? positive(proto.getInterval(), at.field("interval")) : DEFAULT_INTERVAL;
    Duration base = proto.hasBaseEjectionTime()
        ? positive(proto.getBaseEjectionTime(), at.field("base_ejection_time")) : DEFAULT_BASE_EJECTION_TIME;
    Duration max;
    if (proto.hasMaxEjectionTime()) {
      max = positive(proto.getMaxEjectionTime(), at.field("max_ejection_time"));
      if (max.compareTo(base) < 0) {
        at.field("max_ejection_time").error("max_ejection_time cannot be smaller than base_ejection_time");
      }
    } else {
      max = base.compareTo(DEFAULT_MAX_EJECTION_TIME) > 0 ? base : DEFAULT_MAX_EJECTION_TIME;
    }
    Duration jitter = Duration.ZERO;
    if (proto.hasMaxEjectionTimeJitter()) {
      com.google.protobuf.Duration j = proto.getMaxEjectionTimeJitter();
      if (!Durations.isValid(j) || Durations.toNanos(j) < 0) {
        at.field("max_ejection_time_jitter").error("must be a non-negative duration");
      } else {
        jitter = Duration.ofNanos(Durations.toNanos(j));
      }
    }
    if (at.errorCount() > before) {
      return null;
    }
    return new OutlierDetection(c5xx, cGateway, cLocal, e5xx, eGateway, eLocal,
        proto.getSplitExternalLocalOriginErrors(), interval, base, max, jitter, maxPercent,
        proto.hasAlwaysEjectOneHost() && proto.getAlwaysEjectOneHost().getValue());
  }

  private static void mustBeZero(int value, ConfigPath at, String detector) {
    if (value != 0) {
      at.error(detector + " outlier detection is not supported by Egret; only 0 (disabled) is accepted, was "
          + Integer.toUnsignedLong(value));
    }
  }

  /** A uint32 threshold, saturated to int. */
  private static int count(int unsigned) {
    return (int) Math.min(Integer.toUnsignedLong(unsigned), Integer.MAX_VALUE);
  }

  private static int percent(int unsigned, ConfigPath at) {
    long v = Integer.toUnsignedLong(unsigned);
    if (v > 100) {
      at.error("must be at most 100, was " + v);
      return 100;
    }
    return (int) v;
  }

  private static Duration positive(com.google.protobuf.Duration d, ConfigPath at) {
    if (!Durations.isValid(d) || Durations.toNanos(d) <= 0) {
      at.error("must be a positive duration");
      return Duration.ofMillis(1);
    }
    return Duration.ofNanos(Durations.toNanos(d));
  }
}
