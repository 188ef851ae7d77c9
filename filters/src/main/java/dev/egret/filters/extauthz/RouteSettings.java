package dev.egret.filters.extauthz;

import java.util.Map;

/**
 * A compiled {@code ExtAuthzPerRoute} that keeps the filter on: the route's
 * {@code check_settings.context_extensions}, sent in every check for the route. ({@code disabled: true}
 * compiles to {@link dev.egret.core.route.PerFilterConfig#DISABLED} instead.)
 */
record RouteSettings(Map<String, String> contextExtensions) {
  RouteSettings {
    contextExtensions = Map.copyOf(contextExtensions);
  }
}
