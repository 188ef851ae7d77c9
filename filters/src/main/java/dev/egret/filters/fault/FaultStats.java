package dev.egret.filters.fault;

import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.stats.StatCounter;

/** Envoy's {@code http.<stat_prefix>.fault.*} counters. */
record FaultStats(StatCounter delaysInjected, StatCounter abortsInjected, StatCounter faultsOverflow) {
  static FaultStats of(FilterContext context) {
    return new FaultStats(context.counter("fault.delays_injected"), context.counter("fault.aborts_injected"),
        context.counter("fault.faults_overflow"));
  }
}
