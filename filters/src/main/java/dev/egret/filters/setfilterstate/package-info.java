/**
 * Envoy's {@code set_filter_state} filter: the HTTP filter ({@link
 * dev.egret.filters.setfilterstate.SetFilterStateFilterProvider}) and the evaluation of the network
 * filter's {@code on_new_connection} entries on a connection ({@link
 * dev.egret.filters.setfilterstate.NetworkSetFilterState}). The entries themselves are compiled and
 * evaluated by {@link dev.egret.core.filterstate.FilterStateRules}.
 */
package dev.egret.filters.setfilterstate;
