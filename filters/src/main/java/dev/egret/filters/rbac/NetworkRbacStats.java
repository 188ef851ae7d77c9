package dev.egret.filters.rbac;

import dev.egret.core.stats.StatCounter;
import dev.egret.core.stats.Stats;

/**
 * The counters of one network RBAC filter configuration, named as Envoy names them (the stat prefix
 * is used as written, so Istio's {@code tcp.} gives {@code tcp.rbac.allowed}):
 * {@code <stat_prefix>rbac.allowed} / {@code denied} / {@code logged} / {@code not_logged} and
 * {@code <stat_prefix>rbac.<shadow_rules_stat_prefix>shadow_allowed} / {@code shadow_denied}; in
 * Prometheus e.g. {@code envoy_tcp_rbac_allowed}.
 */
public final class NetworkRbacStats {
  final StatCounter allowed;
  final StatCounter denied;
  final StatCounter logged;
  final StatCounter notLogged;
  final StatCounter shadowAllowed;
  final StatCounter shadowDenied;

  NetworkRbacStats(Stats stats, String statPrefix, String shadowPrefix) {
    String base = statPrefix + "rbac.";
    allowed = stats.serverCounter(base + "allowed");
    denied = stats.serverCounter(base + "denied");
    logged = stats.serverCounter(base + "logged");
    notLogged = stats.serverCounter(base + "not_logged");
    shadowAllowed = stats.serverCounter(base + shadowPrefix + "shadow_allowed");
    shadowDenied = stats.serverCounter(base + shadowPrefix + "shadow_denied");
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
