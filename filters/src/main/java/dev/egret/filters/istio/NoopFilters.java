package dev.egret.filters.istio;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterFactory;

/** The filter the Istio telemetry providers install: it passes every stream on untouched. */
final class NoopFilters {
  static final HttpFilter FILTER = (callbacks, request) -> HttpFilter.Status.CONTINUE;
  static final HttpFilterFactory FACTORY = () -> FILTER;

  private NoopFilters() {}
}
