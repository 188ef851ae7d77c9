package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.function.Predicate;

/**
 * A compiled {@code RouteConfiguration}: the HTTP connection manager's route table. Immutable and
 * safe to share between event loops; a config update compiles a new table and swaps it in.
 *
 * <h2>Lookup</h2>
 * {@link #route} first picks the virtual host from the authority, as Envoy does:
 * <ol>
 *   <li>the host is compared case-insensitively, <em>including its port</em> — a domain
 *       {@code example.com} does not match {@code example.com:8080} (Istio lists both forms) —
 *       unless the configuration sets {@code ignore_port_in_host_matching}, which drops the
 *       request's port before matching;</li>
 *   <li>an exact domain wins, then the longest suffix wildcard ({@code *.example.com},
 *       {@code *-bar.foo.com}), then the longest prefix wildcard ({@code foo.*}), then {@code *};
 *       a wildcard never matches an empty remainder;</li>
 *   <li>no match, or no authority while any domain other than {@code *} exists, gives null.</li>
 * </ol>
 * Then the virtual host's routes are tried in order and the first match wins. Null means no route:
 * the caller answers 404 with flag {@code NR}.
 *
 * <h2>Cost (for benchmarks)</h2>
 * Choosing among N virtual hosts is O(1) in N: one {@code HashMap} lookup for exact domains, then
 * one probe per distinct wildcard length (longest first) into tables keyed by the domain text,
 * probed in place without substring copies. Route selection is linear in the chosen virtual
 * host's routes only. So 1,000 virtual hosts × 5 routes costs one hash lookup plus at most 5 route
 * checks. Domains are lower-cased at compile time; the authority is lower-cased only when it holds
 * upper-case letters. Path matching reads the path in place; regex and header matchers allocate a
 * {@code Matcher} / joined value only when such a matcher is configured.
 *
 * <h2>Compilation</h2>
 * {@link #compile} checks every field against what Egret implements (others are rejected by name),
 * compiles regexes once (RE2 syntax run by {@code java.util.regex}; see {@link Re2}) and checks that
 * every {@code cluster} and weighted cluster exists, unless {@code validate_clusters} is false.
 */
public final class RouteTable {
  private final String name;
  private final List<VirtualHostRoutes> virtualHosts;
  private final DomainIndex<VirtualHostRoutes> domains;
  private final boolean ignorePortInHostMatching;

  RouteTable(String name, List<VirtualHostRoutes> virtualHosts, DomainIndex<VirtualHostRoutes> domains,
      boolean ignorePortInHostMatching) {
    this.name = requireNonNull(name, "name");
    this.virtualHosts = List.copyOf(virtualHosts);
    this.domains = requireNonNull(domains, "domains");
    this.ignorePortInHostMatching = ignorePortInHostMatching;
  }

  /**
   * Compiles a route configuration.
   *
   * @param proto         the configuration
   * @param at            where it sits in the document; errors are recorded here
   * @param clusterExists whether a cluster name is known (for RDS, where Envoy does not check by
   *                      default, pass {@code c -> true})
   * @return the table, or null when any error was recorded
   */
  public static RouteTable compile(RouteConfiguration proto, ConfigPath at, Predicate<String> clusterExists) {
    return compile(proto, at, clusterExists, PerFilterConfig.NONE);
  }

  /** As {@link #compile(RouteConfiguration, ConfigPath, Predicate)}, compiling per-filter configs with {@code perFilter}. */
  public static RouteTable compile(RouteConfiguration proto, ConfigPath at, Predicate<String> clusterExists,
      PerFilterConfig perFilter) {
    return RouteCompiler.compile(requireNonNull(proto, "proto"), requireNonNull(at, "at"),
        requireNonNull(clusterExists, "clusterExists"), requireNonNull(perFilter, "perFilter"));
  }

  /** {@code RouteConfiguration.name}. */
  public String name() {
    return name;
  }

  public List<VirtualHostRoutes> virtualHosts() {
    return virtualHosts;
  }

  /**
   * The virtual host for an authority ({@code host[:port]}), or null.
   *
   * @param authority the request's {@code :authority} / {@code host}; may be null
   */
  public VirtualHostRoutes virtualHost(String authority) {
    if (domains.onlyCatchAll()) {
      return domains.catchAll();
    }
    if (authority == null) {
      return null;
    }
    String host = authority;
    if (ignorePortInHostMatching) {
      int port = Ascii.portStart(host);
      if (port >= 0) {
        host = host.substring(0, port);
      }
    }
    return domains.find(Ascii.toLowerCase(host));
  }

  /**
   * The route for a request, or null (404 {@code NR}). Header matchers on {@code :method} or
   * {@code :scheme} see them only through this overload or the headers.
   */
  public RouteEntry route(String authority, String path, HttpHeaders headers) {
    return route(null, null, authority, path, headers);
  }

  /**
   * The route for a request, or null (404 {@code NR}).
   *
   * @param scheme    {@code :scheme}, for header matchers on it; may be null
   * @param method    {@code :method}, for header matchers on it; may be null
   * @param authority {@code :authority} / {@code host}; may be null
   * @param path      {@code :path} with its query; null (CONNECT) matches no route
   * @param headers   the other request headers
   */
  public RouteEntry route(String scheme, String method, String authority, String path, HttpHeaders headers) {
    requireNonNull(headers, "headers");
    VirtualHostRoutes vh = virtualHost(authority);
    if (vh == null || path == null) {
      return null;
    }
    return vh.route(new HeaderMatch.Request(scheme, method, authority, path, headers));
  }

  @Override
  public String toString() {
    return "RouteTable{" + name + ", " + virtualHosts.size() + " virtual hosts}";
  }
}
