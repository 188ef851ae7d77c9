package dev.egret.filters.extauthz;

import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.stats.StatCounter;

/**
 * The counters of one ext_authz configuration, as Envoy names them:
 * {@code http.<hcm_stat_prefix>.ext_authz.[<stat_prefix>.]ok | denied | error | disabled |
 * failure_mode_allowed | invalid}.
 */
public final class ExtAuthzStats {
  final StatCounter ok;
  final StatCounter denied;
  final StatCounter error;
  final StatCounter disabled;
  final StatCounter failureModeAllowed;
  final StatCounter invalid;

  ExtAuthzStats(FilterContext context, String statPrefix) {
    String p = "ext_authz." + (statPrefix.isEmpty() ? "" : statPrefix + ".");
    ok = context.counter(p + "ok");
    denied = context.counter(p + "denied");
    error = context.counter(p + "error");
    disabled = context.counter(p + "disabled");
    failureModeAllowed = context.counter(p + "failure_mode_allowed");
    invalid = context.counter(p + "invalid");
  }

  public long ok() {
    return ok.value();
  }

  public long denied() {
    return denied.value();
  }

  public long error() {
    return error.value();
  }

  public long disabled() {
    return disabled.value();
  }

  public long failureModeAllowed() {
    return failureModeAllowed.value();
  }
}
