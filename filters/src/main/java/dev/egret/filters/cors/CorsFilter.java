package dev.egret.filters.cors;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.match.StringMatch;
import dev.egret.core.route.RouteEntry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Envoy's CORS filter on one stream. The route's {@code CorsPolicy} levels (route, virtual host,
 * route configuration) are merged field by field, most specific first. A request with an
 * {@code origin} the policy allows (an origin matcher that matches the origin, or matches {@code *})
 * is a CORS request: a preflight ({@code OPTIONS} with {@code access-control-request-method}) is
 * answered 200 here with {@code access-control-allow-origin/-methods/-headers/-max-age/-credentials}
 * (details {@code cors_response}); any other response gets {@code access-control-allow-origin},
 * {@code -credentials} and {@code -expose-headers}. A preflight from an origin not allowed is passed
 * upstream unless {@code forward_not_matching_preflights} is false (then answered 200 without CORS
 * headers). No policy, or {@code filter_enabled} not drawn: nothing happens.
 */
final class CorsFilter implements HttpFilter {
  private final String name;

  CorsFilter(String name) {
    this.name = requireNonNull(name);
  }

  /** The CORS request in progress on a stream: its origin and merged policy. */
  private record Active(String origin, List<CorsPolicyConfig> levels) {}

  @Override
  public Status onRequestHeaders(HttpFilterCallbacks callbacks, HttpRequest request) {
    RouteEntry route = callbacks.route();
    if (route == null) {
      return Status.CONTINUE;
    }
    List<CorsPolicyConfig> levels = new ArrayList<>();
    for (Object o : route.perFilterConfigLevels(name)) {
      if (o instanceof CorsPolicyConfig c) {
        levels.add(c);
      }
    }
    if (levels.isEmpty()) {
      return Status.CONTINUE;
    }
    Integer enabled = first(levels, CorsPolicyConfig::enabledPerMillion);
    if (enabled != null && ThreadLocalRandom.current().nextInt(1_000_000) >= enabled) {
      return Status.CONTINUE;
    }
    HttpHeaders h = request.headers();
    String origin = h.get("origin");
    if (origin == null || origin.isEmpty()) {
      return Status.CONTINUE;
    }
    String requestMethod = h.get("access-control-request-method");
    boolean preflight = HttpMethod.OPTIONS.equals(request.method()) && requestMethod != null
        && !requestMethod.isEmpty();
    if (!originAllowed(first(levels, CorsPolicyConfig::allowOrigins), origin)) {
      Boolean forward = first(levels, CorsPolicyConfig::forwardNotMatchingPreflights);
      if (preflight && Boolean.FALSE.equals(forward)) {
        callbacks.sendLocalReply(200, "", "cors_response", null, null);
      }
      return Status.CONTINUE;
    }
    if (!preflight) {
      active = new Active(origin, levels);
      return Status.CONTINUE;
    }
    HttpHeaders out = new DefaultHttpHeaders();
    out.set("access-control-allow-origin", origin);
    if (Boolean.TRUE.equals(first(levels, CorsPolicyConfig::allowCredentials))) {
      out.set("access-control-allow-credentials", "true");
    }
    setIfPresent(out, "access-control-allow-methods", first(levels, CorsPolicyConfig::allowMethods));
    setIfPresent(out, "access-control-allow-headers", first(levels, CorsPolicyConfig::allowHeaders));
    setIfPresent(out, "access-control-max-age", first(levels, CorsPolicyConfig::maxAge));
    if (Boolean.TRUE.equals(first(levels, CorsPolicyConfig::allowPrivateNetworkAccess))
        && "true".equals(h.get("access-control-request-private-network"))) {
      out.set("access-control-allow-private-network", "true");
    }
    callbacks.sendLocalReply(200, "", "cors_response", null, out);
    return Status.CONTINUE;
  }

  private Active active; // per stream: set for a simple CORS request

  @Override
  public void onResponseHeaders(HttpFilterCallbacks callbacks, HttpResponse response) {
    Active a = active;
    if (a == null) {
      return;
    }
    HttpHeaders h = response.headers();
    h.set("access-control-allow-origin", a.origin());
    if (Boolean.TRUE.equals(first(a.levels(), CorsPolicyConfig::allowCredentials))) {
      h.set("access-control-allow-credentials", "true");
    }
    setIfPresent(h, "access-control-expose-headers", first(a.levels(), CorsPolicyConfig::exposeHeaders));
  }

  @Override
  public void onStreamEnd(HttpFilterCallbacks callbacks) {
    active = null;
  }

  private static boolean originAllowed(List<StringMatch> allowed, String origin) {
    if (allowed == null) {
      return false;
    }
    for (StringMatch m : allowed) {
      if (m.matches("*") || m.matches(origin)) {
        return true;
      }
    }
    return false;
  }

  private static <T> T first(List<CorsPolicyConfig> levels, Function<CorsPolicyConfig, T> field) {
    for (CorsPolicyConfig c : levels) {
      T v = field.apply(c);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static void setIfPresent(HttpHeaders h, String name, String value) {
    if (value != null) {
      h.set(name, value);
    }
  }
}
