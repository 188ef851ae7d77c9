package dev.egret.filters.rbac;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.route.PerFilterConfig;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import java.util.Set;

/**
 * Compiles {@code envoy.extensions.filters.http.rbac.v3.RBAC}: {@code rules},
 * {@code rules_stat_prefix}, {@code shadow_rules}, {@code shadow_rules_stat_prefix}, and the matcher
 * forms {@code matcher} / {@code shadow_matcher} ({@link RbacMatcherTree}: CEL and header inputs),
 * which win over {@code rules} / {@code shadow_rules} when both are set. {@code track_per_rule_stats}
 * is rejected by path. An empty {@code RBAC {}} (kgateway installs one and configures
 * routes through per-route config) enforces nothing.
 */
public final class RbacFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";

  public static final String PER_ROUTE_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public Set<String> perRouteTypeUrls() {
    return Set.of(PER_ROUTE_TYPE_URL);
  }

  /**
   * {@code RBACPerRoute}: without {@code rbac} the filter is off for the route (Envoy's rule); with it,
   * that policy replaces the filter's own on the route.
   */
  @Override
  public Object compilePerRoute(Any typedConfig, ConfigPath at, FilterContext context) {
    RBACPerRoute per = Protos.unpack(typedConfig, RBACPerRoute.class, at);
    if (per == null) {
      return null;
    }
    Fields.allowOnly(per, at, Set.of("rbac"));
    if (!per.hasRbac()) {
      return PerFilterConfig.DISABLED;
    }
    return compile(per.getRbac(), at.field("rbac"), context);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    RBAC proto = Protos.unpack(typedConfig, RBAC.class, at);
    if (proto == null) {
      return null;
    }
    return compile(proto, at, context);
  }

  private static RbacEngine matcher(com.github.xds.type.matcher.v3.Matcher m, ConfigPath at) {
    RbacMatcherTree tree = RbacMatcherTree.compile(m, at);
    return tree == null ? null : new RbacEngine(tree);
  }

  /** Compiles with stats of their own (tests and tools that run no connection manager). */
  public static RbacFilterFactory compile(RBAC proto, ConfigPath at) {
    return compile(proto, at, new FilterContext(new dev.egret.core.stats.Stats(), "rbac"));
  }

  /** Compiles an already decoded filter config; null after reporting at {@code at}. */
  public static RbacFilterFactory compile(RBAC proto, ConfigPath at, FilterContext context) {
    int before = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("rules", "rules_stat_prefix", "shadow_rules", "shadow_rules_stat_prefix",
        "matcher", "shadow_matcher"));
    // the matcher form wins over rules when both are set, as in Envoy
    RbacEngine engine = proto.hasMatcher() ? matcher(proto.getMatcher(), at.field("matcher"))
        : proto.hasRules() ? RbacCompiler.compile(proto.getRules(), at.field("rules")) : null;
    RbacEngine shadow = proto.hasShadowMatcher() ? matcher(proto.getShadowMatcher(), at.field("shadow_matcher"))
        : proto.hasShadowRules() ? RbacCompiler.compile(proto.getShadowRules(), at.field("shadow_rules")) : null;
    if (at.errorCount() > before) {
      return null;
    }
    return new RbacFilterFactory(engine, shadow,
        new RbacStats(context, proto.getRulesStatPrefix(), proto.getShadowRulesStatPrefix()), context.filterName());
  }
}
