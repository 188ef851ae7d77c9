package dev.egret.filters.cors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import dev.egret.core.match.StringMatch;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiles {@code envoy.filters.http.cors}: the filter ({@code Cors}, which has no settings) and its
 * per-route {@code CorsPolicy} ({@code typed_per_filter_config}, how istiod sends a VirtualService's
 * {@code corsPolicy}). Without a policy on the route the filter does nothing. {@code shadow_enabled}
 * and runtime keys are rejected (Egret has no runtime).
 */
public final class CorsFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors";
  public static final String POLICY_TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public Set<String> perRouteTypeUrls() {
    return Set.of(POLICY_TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    try {
      Fields.allowOnly(typedConfig.unpack(Cors.class), at, Set.of());
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode " + TYPE_URL + ": " + e.getMessage());
      return null;
    }
    String name = context.filterName();
    return () -> new CorsFilter(name); // per stream: it remembers the origin for the response
  }

  @Override
  public Object compilePerRoute(Any typedConfig, ConfigPath at, FilterContext context) {
    CorsPolicy p = Protos.unpack(typedConfig, CorsPolicy.class, at);
    if (p == null) {
      return null;
    }
    return compile(p, at);
  }

  static CorsPolicyConfig compile(CorsPolicy p, ConfigPath at) {
    int errors = at.errorCount();
    Fields.allowOnly(p, at, Set.of("allow_origin_string_match", "allow_methods", "allow_headers",
        "expose_headers", "max_age", "allow_credentials", "filter_enabled", "allow_private_network_access",
        "forward_not_matching_preflights"));
    List<StringMatch> origins = null;
    if (p.getAllowOriginStringMatchCount() > 0) {
      origins = new ArrayList<>();
      for (int i = 0; i < p.getAllowOriginStringMatchCount(); i++) {
        StringMatch m = StringMatch.compile(p.getAllowOriginStringMatch(i),
            at.field("allow_origin_string_match").index(i));
        if (m != null) {
          origins.add(m);
        }
      }
    }
    Integer enabled = null;
    if (p.hasFilterEnabled()) {
      RuntimeFractionalPercent f = p.getFilterEnabled();
      ConfigPath fa = at.field("filter_enabled");
      Fields.allowOnly(f, fa, Set.of("default_value"));
      long scale = switch (f.getDefaultValue().getDenominator()) {
        case HUNDRED -> 10_000;
        case TEN_THOUSAND -> 100;
        case MILLION -> 1;
        default -> {
          fa.field("default_value").error("unknown denominator");
          yield 0;
        }
      };
      enabled = (int) Math.min(1_000_000L, f.getDefaultValue().getNumerator() * scale);
    }
    if (at.errorCount() > errors) {
      return null;
    }
    return new CorsPolicyConfig(origins, emptyToNull(p.getAllowMethods()), emptyToNull(p.getAllowHeaders()),
        emptyToNull(p.getExposeHeaders()), emptyToNull(p.getMaxAge()),
        p.hasAllowCredentials() ? p.getAllowCredentials().getValue() : null, enabled,
        p.hasAllowPrivateNetworkAccess() ? p.getAllowPrivateNetworkAccess().getValue() : null,
        p.hasForwardNotMatchingPreflights() ? p.getForwardNotMatchingPreflights().getValue() : null);
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
