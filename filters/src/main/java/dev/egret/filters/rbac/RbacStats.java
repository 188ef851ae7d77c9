package dev.egret.filters.rbac;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one RBAC filter configuration ({@code rbac.allowed}, {@code rbac.denied},
 * {@code rbac.shadow_allowed}, {@code rbac.shadow_denied}, and {@code rbac.logged} /
 * {@code rbac.not_logged} for LOG engines). The filter SPI gives filters no access to Egret's
 * {@code Stats} yet, so they are kept here; the stat prefixes are recorded for when they are exported
 * as {@code http.<hcm prefix>.rbac.<rules_stat_prefix>allowed} etc.
 */
public final class RbacStats {
  private final String rulesPrefix;
  private final String shadowPrefix;
  final LongAdder allowed = new LongAdder();
  final LongAdder denied = new LongAdder();
  final LongAdder shadowAllowed = new LongAdder();
  final LongAdder shadowDenied = new LongAdder();
  final LongAdder logged = new LongAdder();
  final LongAdder notLogged = new LongAdder();

  RbacStats(String rulesPrefix, String shadowPrefix) {
    this.rulesPrefix = rulesPrefix;
    this.shadowPrefix = shadowPrefix;
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
    return allowed.sum();
  }

  public long denied() {
    return denied.sum();
  }

  public long shadowAllowed() {
    return shadowAllowed.sum();
  }

  public long shadowDenied() {
    return shadowDenied.sum();
  }

  public long logged() {
    return logged.sum();
  }

  public long notLogged() {
    return notLogged.sum();
  }
}
