package dev.egret.filters.rbac;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.config.Protos;
import dev.egret.core.network.NetworkFilterContext;
import dev.egret.core.network.NetworkFilterFactory;
import dev.egret.core.network.NetworkFilterProvider;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import java.util.Set;

/**
 * Compiles the network RBAC filter ({@code envoy.extensions.filters.network.rbac.v3.RBAC}) into a
 * {@link NetworkRbac}: {@code rules} / {@code matcher} (the matcher wins when both are set, as in
 * Envoy), {@code shadow_rules} / {@code shadow_matcher}, {@code shadow_rules_stat_prefix},
 * {@code stat_prefix} (required) and {@code enforcement_type} {@code ONE_TIME_ON_FIRST_BYTE}.
 * {@code CONTINUOUS} and {@code delay_deny} are rejected by path.
 */
public final class NetworkRbacFilterProvider implements NetworkFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public NetworkFilterFactory compile(Any typedConfig, ConfigPath at, NetworkFilterContext context) {
    RBAC proto = Protos.unpack(typedConfig, RBAC.class, at);
    return proto == null ? null : compile(proto, at, context.stats());
  }

  /** Compiles a decoded config with its counters in {@code stats}; null after reporting at {@code at}. */
  public static NetworkRbac compile(RBAC proto, ConfigPath at, Stats stats) {
    int before = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("rules", "matcher", "shadow_rules", "shadow_matcher",
        "shadow_rules_stat_prefix", "stat_prefix", "enforcement_type"));
    if (proto.getStatPrefix().isEmpty()) {
      at.field("stat_prefix").error("stat_prefix is required");
    }
    if (proto.getEnforcementType() != RBAC.EnforcementType.ONE_TIME_ON_FIRST_BYTE) {
      at.field("enforcement_type").error("enforcement_type " + proto.getEnforcementType()
          + " is not supported by Egret (only ONE_TIME_ON_FIRST_BYTE)");
    }
    RbacEngine engine = proto.hasMatcher() ? matcher(proto.getMatcher(), at.field("matcher"))
        : proto.hasRules() ? RbacCompiler.compile(proto.getRules(), at.field("rules")) : null;
    RbacEngine shadow = proto.hasShadowMatcher() ? matcher(proto.getShadowMatcher(), at.field("shadow_matcher"))
        : proto.hasShadowRules() ? RbacCompiler.compile(proto.getShadowRules(), at.field("shadow_rules")) : null;
    if (at.errorCount() > before) {
      return null;
    }
    return new NetworkRbac(engine, shadow,
        new NetworkRbacStats(stats, proto.getStatPrefix(), proto.getShadowRulesStatPrefix()));
  }

  private static RbacEngine matcher(com.github.xds.type.matcher.v3.Matcher m, ConfigPath at) {
    RbacMatcherTree tree = RbacMatcherTree.compile(m, at);
    return tree == null ? null : new RbacEngine(tree);
  }
}
