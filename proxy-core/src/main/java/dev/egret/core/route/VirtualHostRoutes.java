package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A compiled {@code VirtualHost}: its name, domains and routes, tried in order. */
public final class VirtualHostRoutes {
  private final String name;
  private final List<String> domains;
  private final RouteEntry[] routes;

  VirtualHostRoutes(String name, List<String> domains, List<RouteEntry> routes) {
    this.name = requireNonNull(name, "name");
    this.domains = List.copyOf(domains);
    this.routes = routes.toArray(new RouteEntry[0]);
  }

  public String name() {
    return name;
  }

  /** The domains as configured. */
  public List<String> domains() {
    return domains;
  }

  public List<RouteEntry> routes() {
    return List.of(routes);
  }

  /** The first route that matches, or null. */
  RouteEntry route(HeaderMatch.Request req) {
    int pathEnd = Ascii.pathEnd(req.path());
    for (RouteEntry r : routes) {
      if (r.matches(req, pathEnd)) {
        return r;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "VirtualHost{" + name + ", " + domains + ", " + routes.length + " routes}";
  }
}
