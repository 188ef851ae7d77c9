package dev.egret.filters.cors;

import dev.egret.core.match.StringMatch;
import java.util.List;

/**
 * A compiled per-route {@code envoy.extensions.filters.http.cors.v3.CorsPolicy}. Unset fields are
 * null so that a less specific level (virtual host, route configuration) can supply them, as Envoy
 * merges the levels field by field.
 *
 * @param allowOrigins    {@code allow_origin_string_match}; null = unset
 * @param allowMethods    {@code allow_methods}
 * @param allowHeaders    {@code allow_headers}
 * @param exposeHeaders   {@code expose_headers}
 * @param maxAge          {@code max_age}
 * @param allowCredentials {@code allow_credentials}
 * @param enabledPerMillion {@code filter_enabled.default_value} in millionths
 * @param allowPrivateNetworkAccess {@code allow_private_network_access}
 * @param forwardNotMatchingPreflights {@code forward_not_matching_preflights}
 */
record CorsPolicyConfig(List<StringMatch> allowOrigins, String allowMethods, String allowHeaders,
    String exposeHeaders, String maxAge, Boolean allowCredentials, Integer enabledPerMillion,
    Boolean allowPrivateNetworkAccess, Boolean forwardNotMatchingPreflights) {
  CorsPolicyConfig {
    allowOrigins = allowOrigins == null ? null : List.copyOf(allowOrigins);
  }
}
