package dev.egret.core.http.filter;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import java.util.Set;

/**
 * Compiles the {@code typed_config} of the HTTP filters it knows. Providers are found with
 * {@link java.util.ServiceLoader} (a module lists its providers in
 * {@code META-INF/services/dev.egret.core.http.filter.HttpFilterProvider}), so proxy-core never names
 * a filter; a type URL no provider claims is rejected with that URL.
 */
public interface HttpFilterProvider {
  /** The {@code type.googleapis.com/...} URLs this provider compiles. */
  Set<String> typeUrls();

  /** Compiles one filter configuration; returns null after recording errors in {@code at}. */
  HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context);

  /** The per-route configuration types ({@code typed_per_filter_config}) this provider compiles. */
  default Set<String> perRouteTypeUrls() {
    return Set.of();
  }

  /**
   * Compiles a per-route configuration of one of {@link #perRouteTypeUrls()}; the filter later reads
   * the returned object with {@link HttpFilterCallbacks#perRouteConfig(String)}. Returns null after
   * recording errors in {@code at}.
   */
  default Object compilePerRoute(Any typedConfig, ConfigPath at, FilterContext context) {
    at.error(typedConfig.getTypeUrl() + " is not a per-route configuration this filter takes");
    return null;
  }
}
