package dev.egret.filters.rbac;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterFactory;

/**
 * A compiled {@code envoy.extensions.filters.http.rbac.v3.RBAC}: the enforced engine (null when
 * {@code rules} is absent: nothing is enforced), the shadow engine (null when {@code shadow_rules}
 * is absent) and their counters. Every stream shares one stateless {@link RbacFilter}.
 */
public final class RbacFilterFactory implements HttpFilterFactory {
  private final RbacEngine engine;
  private final RbacEngine shadow;
  private final RbacStats stats;
  private final RbacFilter filter;

  RbacFilterFactory(RbacEngine engine, RbacEngine shadow, RbacStats stats, String filterName) {
    this.engine = engine;
    this.shadow = shadow;
    this.stats = requireNonNull(stats, "stats");
    this.filter = new RbacFilter(engine, shadow, stats, filterName);
  }

  @Override
  public HttpFilter newFilter() {
    return filter;
  }

  /** The enforced engine, or null when the filter enforces nothing. */
  public RbacEngine engine() {
    return engine;
  }

  /** The shadow engine, or null. */
  public RbacEngine shadowEngine() {
    return shadow;
  }

  public RbacStats stats() {
    return stats;
  }
}
