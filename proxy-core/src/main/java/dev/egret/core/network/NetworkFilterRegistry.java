package dev.egret.core.network;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The network filter providers on the class path, by type URL. Immutable once built. */
public final class NetworkFilterRegistry {
  private final Map<String, NetworkFilterProvider> byTypeUrl;

  private NetworkFilterRegistry(Map<String, NetworkFilterProvider> byTypeUrl) {
    this.byTypeUrl = Map.copyOf(byTypeUrl);
  }

  /** Every provider {@link ServiceLoader} finds; the first one to claim a type URL wins. */
  public static NetworkFilterRegistry load() {
    return of(ServiceLoader.load(NetworkFilterProvider.class, NetworkFilterRegistry.class.getClassLoader())
        .stream().map(ServiceLoader.Provider::get).toList());
  }

  public static NetworkFilterRegistry of(List<NetworkFilterProvider> providers) {
    Map<String, NetworkFilterProvider> m = new HashMap<>();
    for (NetworkFilterProvider p : providers) {
      for (String url : p.typeUrls()) {
        m.putIfAbsent(url, p);
      }
    }
    return new NetworkFilterRegistry(m);
  }

  /** The provider for a type URL, or null. */
  public NetworkFilterProvider provider(String typeUrl) {
    return byTypeUrl.get(typeUrl);
  }
}
