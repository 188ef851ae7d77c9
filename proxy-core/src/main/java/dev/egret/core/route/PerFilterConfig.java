package dev.egret.core.route;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;

/**
 * Compiles one {@code typed_per_filter_config} entry (route, virtual host or route configuration).
 * The connection manager supplies it, because only the HTTP filter providers know their per-route
 * types; the route table keeps whatever object comes back and hands it to the filter at run time.
 */
public interface PerFilterConfig {
  /** The per-route value for "this filter is disabled on this route" ({@code FilterConfig.disabled}). */
  Object DISABLED = new Object() {
    @Override
    public String toString() {
      return "disabled";
    }
  };

  /** Refuses every entry: for route tables compiled where no filter takes per-route configuration. */
  PerFilterConfig NONE = (filterName, config, at) -> {
    at.error("per-route configuration " + config.getTypeUrl() + " is not supported here: no HTTP filter compiles it");
    return null;
  };

  /**
   * Compiles {@code config} (never the {@code FilterConfig} wrapper, which the route table unwraps)
   * for the filter named {@code filterName}; returns null after recording errors in {@code at}.
   */
  Object compile(String filterName, Any config, ConfigPath at);
}
