package dev.egret.core.http.filter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The HTTP filter providers on the class path, by type URL. Immutable once built. */
public final class HttpFilterRegistry {
  private final Map<String, HttpFilterProvider> byTypeUrl;
  private final Map<String, HttpFilterProvider> byPerRouteTypeUrl;

  private HttpFilterRegistry(Map<String, HttpFilterProvider> byTypeUrl, Map<String, HttpFilterProvider> perRoute) {
    this.byTypeUrl = Map.copyOf(byTypeUrl);
    this.byPerRouteTypeUrl = Map.copyOf(perRoute);
  }

  /** Every provider {@link ServiceLoader} finds; the first one to claim a type URL wins. */
  public static HttpFilterRegistry load() {
    return of(ServiceLoader.load(HttpFilterProvider.class, HttpFilterRegistry.class.getClassLoader())
        .stream().map(ServiceLoader.Provider::get).toList());
  }

  public static HttpFilterRegistry of(List<HttpFilterProvider> providers) {
    Map<String, HttpFilterProvider> m = new HashMap<>();
    Map<String, HttpFilterProvider> perRoute = new HashMap<>();
    for (HttpFilterProvider p : providers) {
      for (String url : p.typeUrls()) {
        m.putIfAbsent(url, p);
      }
      for (String url : p.perRouteTypeUrls()) {
        perRoute.putIfAbsent(url, p);
      }
    }
    return new HttpFilterRegistry(m, perRoute);
  }

  /** The provider that compiles this per-route configuration type, or null. */
  public HttpFilterProvider perRouteProvider(String typeUrl) {
    return byPerRouteTypeUrl.get(typeUrl);
  }

  /** The provider for a type URL, or null. */
  public HttpFilterProvider provider(String typeUrl) {
    return byTypeUrl.get(typeUrl);
  }
}
