package dev.egret.filters.rbac;

import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.stats.StatCounter;

/**
 * The counters of one RBAC filter configuration, under its connection manager's scope as Envoy names
 * them: {@code http.<stat_prefix>.rbac.<rules_stat_prefix>allowed} / {@code denied} (and
 * {@code logged} / {@code not_logged} for LOG engines), {@code …rbac.<shadow_rules_stat_prefix>
 * shadow_allowed} / {@code shadow_denied}; in Prometheus e.g.
 * {@code envoy_http_rbac_allowed{envoy_http_conn_manager_prefix="…"}}.
 */
public final class RbacStats {
  private final String rulesPrefix;
  private final String shadowPrefix;
  final StatCounter allowed;
  final StatCounter denied;
  final StatCounter shadowAllowed;
  final StatCounter shadowDenied;
  final StatCounter logged;
  final StatCounter notLogged;

  RbacStats(FilterContext context, String rulesPrefix, String shadowPrefix) {
    this.rulesPrefix = rulesPrefix;
    this.shadowPrefix = shadowPrefix;
    allowed = context.counter("rbac." + rulesPrefix + "allowed");
    denied = context.counter("rbac." + rulesPrefix + "denied");
    logged = context.counter("rbac." + rulesPrefix + "logged");
    notLogged = context.counter("rbac." + rulesPrefix + "not_logged");
    shadowAllowed = context.counter("rbac." + shadowPrefix + "shadow_allowed");
    shadowDenied = context.counter("rbac." + shadowPrefix + "shadow_denied");
  }

  /** {@code rules_stat_prefix}, possibly empty. */
  public String rulesPrefix() {
    return rulesPrefix;
  }

  /** {@code shadow_rules_stat_prefix}, possibly empty. */
  public String shadowPrefix() {
    return shadowPrefix;
  }

  public long allowed() {
    return allowed.value();
  }

  public long denied() {
    return denied.value();
  }

  public long shadowAllowed() {
    return shadowAllowed.value();
  }

  public long shadowDenied() {
    return shadowDenied.value();
  }

  public long logged() {
    return logged.value();
  }

  public long notLogged() {
    return notLogged.value();
  }
}
