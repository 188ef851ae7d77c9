package dev.egret.filters.headermutation;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute;
import java.util.Set;

/**
 * Compiles {@code envoy.extensions.filters.http.header_mutation.v3.HeaderMutation} ({@code mutations},
 * {@code most_specific_header_mutations_wins}) and the per-route {@code HeaderMutationPerRoute}.
 * A filter whose {@code typed_config} is itself a {@code HeaderMutationPerRoute} (kgateway lists the
 * filter so, disabled, and enables it per route) compiles as a filter with those mutations, as Envoy
 * accepts a filter's per-route type in its place. Header values take access-log commands.
 */
public final class HeaderMutationFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation";
  public static final String PER_ROUTE_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL, PER_ROUTE_TYPE_URL);
  }

  @Override
  public Set<String> perRouteTypeUrls() {
    return Set.of(PER_ROUTE_TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    Mutations mutations;
    boolean mostSpecificWins = false;
    if (typedConfig.getTypeUrl().equals(PER_ROUTE_TYPE_URL)) {
      mutations = (Mutations) compilePerRoute(typedConfig, at, context);
    } else {
      HeaderMutation proto = Protos.unpack(typedConfig, HeaderMutation.class, at);
      if (proto == null) {
        return null;
      }
      Fields.allowOnly(proto, at, Set.of("mutations", "most_specific_header_mutations_wins"));
      mostSpecificWins = proto.getMostSpecificHeaderMutationsWins();
      mutations = Mutations.compile(proto.getMutations(), at.field("mutations"));
    }
    if (mutations == null) {
      return null;
    }
    HeaderMutationFilter filter = new HeaderMutationFilter(context.filterName(), mutations, mostSpecificWins);
    return () -> filter;
  }

  @Override
  public Object compilePerRoute(Any typedConfig, ConfigPath at, FilterContext context) {
    HeaderMutationPerRoute proto = Protos.unpack(typedConfig, HeaderMutationPerRoute.class, at);
    if (proto == null) {
      return null;
    }
    Fields.allowOnly(proto, at, Set.of("mutations"));
    return Mutations.compile(proto.getMutations(), at.field("mutations"));
  }
}
