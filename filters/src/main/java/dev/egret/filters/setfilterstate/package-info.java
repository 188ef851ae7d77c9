/**
 * Envoy's {@code set_filter_state} filter: the HTTP filter ({@link
 * dev.egret.filters.setfilterstate.SetFilterStateFilterProvider}) and the network filter ({@link
 * dev.egret.filters.setfilterstate.SetFilterStateNetworkFilterProvider}, evaluating {@code
 * on_new_connection} with {@link dev.egret.filters.setfilterstate.NetworkSetFilterState}). The entries themselves are compiled and
 * evaluated by {@link dev.egret.core.filterstate.FilterStateRules}.
 */
package dev.egret.filters.setfilterstate;
