package dev.egret.core.dynamic;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.DownstreamStream;
import dev.egret.core.http.HttpRouter;
import dev.egret.core.http.RequestHandler;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.stream.ResponseFlag;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The router of an HTTP connection manager whose routes come from RDS: it serves through the route
 * table currently published under its name, which an RDS update swaps without touching the listener.
 * A stream keeps the table current when it is first routed ({@link #snapshot()}), for its filters' route
 * lookups as for routing. Until the first table
 * arrives (or after the route configuration is removed) every request gets 404 {@code NR}, as in Envoy.
 */
final class RdsRouter implements HttpRouter {
  private final String routeConfigName;
  private final PerFilterConfig perFilter;
  private volatile HttpRouter delegate; // null: no route configuration yet

  RdsRouter(String routeConfigName, PerFilterConfig perFilter) {
    this.routeConfigName = requireNonNull(routeConfigName, "routeConfigName");
    this.perFilter = requireNonNull(perFilter, "perFilter");
  }

  String routeConfigName() {
    return routeConfigName;
  }

  /** Compiles this HCM's per-filter configuration found in a route table. */
  PerFilterConfig perFilter() {
    return perFilter;
  }

  void set(HttpRouter next) {
    delegate = next;
  }

  boolean hasRoutes() {
    return delegate != null;
  }

  @Override
  public RequestHandler route(DownstreamStream s, HttpRequest req) {
    HttpRouter d = delegate;
    if (d == null) {
      s.config().stats().noRoute.inc();
      s.sendLocalReply(404, "", "route_not_found", ResponseFlag.NO_ROUTE_FOUND);
      return null;
    }
    return d.route(s, req);
  }

  @Override
  public HttpRouter snapshot() {
    HttpRouter d = delegate;
    return d == null ? this : d;
  }

  @Override
  public RouteEntry findRoute(HttpRequest req) {
    HttpRouter d = delegate;
    return d == null ? null : d.findRoute(req);
  }
}
