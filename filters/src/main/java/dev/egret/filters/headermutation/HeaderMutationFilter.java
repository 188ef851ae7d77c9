package dev.egret.filters.headermutation;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.route.RouteEntry;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * Envoy's {@code envoy.filters.http.header_mutation} on one stream (stateless: one instance serves
 * every stream). Request headers are changed at the filter's place in the chain, response headers on
 * their way back (upstream answers and local replies alike): first the filter's own mutations, then
 * the route's {@code HeaderMutationPerRoute} entries, route then virtual host then route configuration,
 * or the reverse with {@code most_specific_header_mutations_wins}. A route whose most specific entry is
 * {@code FilterConfig.disabled} gets none of them. The route is never recomputed after a change.
 */
final class HeaderMutationFilter implements HttpFilter {
  private final String name;
  private final Mutations mutations;
  private final boolean mostSpecificWins;

  HeaderMutationFilter(String name, Mutations mutations, boolean mostSpecificWins) {
    this.name = name;
    this.mutations = mutations;
    this.mostSpecificWins = mostSpecificWins;
  }

  @Override
  public Status onRequestHeaders(HttpFilterCallbacks callbacks, HttpRequest request) {
    apply(callbacks, request.headers(), true);
    return Status.CONTINUE;
  }

  @Override
  public void onResponseHeaders(HttpFilterCallbacks callbacks, HttpResponse response) {
    apply(callbacks, response.headers(), false);
  }

  private void apply(HttpFilterCallbacks callbacks, HttpHeaders headers, boolean request) {
    RouteEntry route = callbacks.route();
    if (route != null && route.perFilterConfig(name) == PerFilterConfig.DISABLED) {
      return;
    }
    (request ? mutations.request() : mutations.response()).apply(headers, callbacks.info());
    if (route == null) {
      return;
    }
    List<Object> levels = route.perFilterConfigLevels(name);
    int n = levels.size();
    for (int i = 0; i < n; i++) {
      Object level = levels.get(mostSpecificWins ? n - 1 - i : i);
      if (level instanceof Mutations m) {
        (request ? m.request() : m.response()).apply(headers, callbacks.info());
      }
    }
  }
}
