package dev.egret.core.http.filter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The HTTP filter providers on the class path, by type URL. Immutable once built. */
public final class HttpFilterRegistry {
  private final Map<String, HttpFilterProvider> byTypeUrl;

  private HttpFilterRegistry(Map<String, HttpFilterProvider> byTypeUrl) {
    this.byTypeUrl = Map.copyOf(byTypeUrl);
  }

  /** Every provider {@link ServiceLoader} finds; the first one to claim a type URL wins. */
  public static HttpFilterRegistry load() {
    return of(ServiceLoader.load(HttpFilterProvider.class, HttpFilterRegistry.class.getClassLoader())
        .stream().map(ServiceLoader.Provider::get).toList());
  }

  public static HttpFilterRegistry of(List<HttpFilterProvider> providers) {
    Map<String, HttpFilterProvider> m = new HashMap<>();
    for (HttpFilterProvider p : providers) {
      for (String url : p.typeUrls()) {
        m.putIfAbsent(url, p);
      }
    }
    return new HttpFilterRegistry(m);
  }

  /** The provider for a type URL, or null. */
  public HttpFilterProvider provider(String typeUrl) {
    return byTypeUrl.get(typeUrl);
  }
}
