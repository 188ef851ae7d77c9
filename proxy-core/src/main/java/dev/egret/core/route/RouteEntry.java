package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * One compiled {@code Route}: its match conditions and its action. {@link RouteTable#route} returns
 * the entry itself (no per-request object); everything request-specific is computed by the methods
 * that take the request's values.
 *
 * <p>A route matches when its path condition matches the path without query and fragment, every
 * header matcher matches and every query-parameter matcher matches.
 */
public final class RouteEntry {
  private final Map<String, Object> perFilterConfig;

  /**
   * The per-route configuration of the HTTP filter named {@code filterName} (the route's, else its
   * virtual host's, else its route configuration's), {@link PerFilterConfig#DISABLED}, or null.
   */
  public Object perFilterConfig(String filterName) {
    return perFilterConfig.get(filterName);
  }

  private final String name;
  private final String virtualHostName;
  private final PathMatcher path;
  private final HeaderMatch[] headers;
  private final QueryParamMatch[] queryParams;
  private final ActionType actionType;
  private final ClusterAction cluster;
  private final Redirect redirect;
  private final DirectResponse directResponse;

  /**
   * The header mutations of a route's levels, each array in the order the levels apply (route,
   * virtual host, route configuration; reversed when {@code mostSpecificWins}).
   */
  record HeaderLevels(HeaderMutation[] request, HeaderMutation[] response, boolean mostSpecificWins) {
    static final HeaderLevels NONE = new HeaderLevels(new HeaderMutation[0], new HeaderMutation[0], false);
  }

  private final HeaderLevels headerLevels;
  private final Map<String, List<Object>> perFilterConfigLevels;

  /**
   * Every per-route configuration of the filter named {@code filterName}, most specific first: the
   * route's, then its virtual host's, then its route configuration's (each present only if set, and
   * possibly {@link PerFilterConfig#DISABLED}). For filters, such as header mutation, that apply every
   * level rather than the most specific one.
   */
  public List<Object> perFilterConfigLevels(String filterName) {
    return perFilterConfigLevels.getOrDefault(filterName, List.of());
  }

  RouteEntry(String name, String virtualHostName, PathMatcher path, List<HeaderMatch> headers,
      List<QueryParamMatch> queryParams, ClusterAction cluster, Redirect redirect,
      DirectResponse directResponse, Map<String, Object> perFilterConfig) {
    this(name, virtualHostName, path, headers, queryParams, cluster, redirect, directResponse, perFilterConfig,
        HeaderLevels.NONE);
  }

  RouteEntry(String name, String virtualHostName, PathMatcher path, List<HeaderMatch> headers,
      List<QueryParamMatch> queryParams, ClusterAction cluster, Redirect redirect,
      DirectResponse directResponse, Map<String, Object> perFilterConfig, HeaderLevels headerLevels) {
    this(name, virtualHostName, path, headers, queryParams, cluster, redirect, directResponse, perFilterConfig,
        Map.of(), headerLevels);
  }

  RouteEntry(String name, String virtualHostName, PathMatcher path, List<HeaderMatch> headers,
      List<QueryParamMatch> queryParams, ClusterAction cluster, Redirect redirect,
      DirectResponse directResponse, Map<String, Object> perFilterConfig,
      Map<String, List<Object>> perFilterConfigLevels, HeaderLevels headerLevels) {
    this.perFilterConfigLevels = Map.copyOf(perFilterConfigLevels);
    this.headerLevels = requireNonNull(headerLevels, "headerLevels");
    this.perFilterConfig = Map.copyOf(perFilterConfig);
    this.name = name == null || name.isEmpty() ? null : name;
    this.virtualHostName = requireNonNull(virtualHostName, "virtualHostName");
    this.path = requireNonNull(path, "path");
    this.headers = headers.toArray(new HeaderMatch[0]);
    this.queryParams = queryParams.toArray(new QueryParamMatch[0]);
    this.cluster = cluster;
    this.redirect = redirect;
    this.directResponse = directResponse;
    int actions = (cluster != null ? 1 : 0) + (redirect != null ? 1 : 0) + (directResponse != null ? 1 : 0);
    if (actions != 1) {
      throw new IllegalArgumentException("a route has exactly one action, found " + actions);
    }
    this.actionType = cluster != null ? ActionType.CLUSTER
        : redirect != null ? ActionType.REDIRECT : ActionType.DIRECT_RESPONSE;
  }

  boolean matches(HeaderMatch.Request req, int pathEnd) {
    boolean connect = "CONNECT".equals(req.method());
    if (path.kind() == PathMatcher.Kind.CONNECT) {
      if (!connect) {
        return false;
      }
    } else if (connect || !path.matches(req.path(), pathEnd)) {
      return false;
    }
    for (HeaderMatch h : headers) {
      if (!h.matches(req)) {
        return false;
      }
    }
    for (QueryParamMatch q : queryParams) {
      if (!q.matches(req.path())) {
        return false;
      }
    }
    return true;
  }

  /** {@code Route.name}, or null when empty. */
  public String name() {
    return name;
  }

  /** The name of the virtual host holding this route. */
  public String virtualHostName() {
    return virtualHostName;
  }

  public ActionType actionType() {
    return actionType;
  }

  /** The forwarding action; null unless {@link ActionType#CLUSTER}. */
  public ClusterAction clusterAction() {
    return cluster;
  }

  /** The redirect; null unless {@link ActionType#REDIRECT}. */
  public Redirect redirect() {
    return redirect;
  }

  /** The direct response; null unless {@link ActionType#DIRECT_RESPONSE}. */
  public DirectResponse directResponse() {
    return directResponse;
  }

  /** Shorthand for {@link ClusterAction#clusterName}; null when not a cluster route or no cluster is named. */
  public String clusterName(HttpHeaders headers, long random) {
    return cluster == null ? null : cluster.clusterName(headers, random);
  }

  /** Shorthand for {@link ClusterAction#rewritePath}; unchanged when not a cluster route. */
  public String rewritePath(String originalPathWithQuery) {
    return cluster == null ? originalPathWithQuery : cluster.rewritePath(originalPathWithQuery);
  }

  /** Shorthand for {@link Redirect#location}; null when not a redirect. */
  public String location(String scheme, String authority, String pathWithQuery) {
    return redirect == null ? null : redirect.location(scheme, authority, pathWithQuery);
  }

  /** True when the route or an enclosing level changes response headers (weighted clusters aside). */
  public boolean mutatesResponseHeaders() {
    return headerLevels.response().length > 0;
  }

  /**
   * Applies the {@code request_headers_to_add/remove} of the picked weighted cluster (nullable), the
   * route, its virtual host and the route configuration, most specific first (so the least specific
   * wins) unless {@code most_specific_header_mutations_wins} reverses the order.
   */
  public void mutateRequestHeaders(HttpHeaders headers, StreamInfo info, WeightedCluster picked) {
    apply(headerLevels.request(), picked == null ? null : picked.requestHeaders(), headers, info);
  }

  /** As {@link #mutateRequestHeaders}, for {@code response_headers_to_add/remove}. */
  public void mutateResponseHeaders(HttpHeaders headers, StreamInfo info, WeightedCluster picked) {
    apply(headerLevels.response(), picked == null ? null : picked.responseHeaders(), headers, info);
  }

  private void apply(HeaderMutation[] levels, HeaderMutation weighted, HttpHeaders headers, StreamInfo info) {
    boolean weightedFirst = !headerLevels.mostSpecificWins();
    if (weighted != null && weightedFirst) {
      weighted.apply(headers, info);
    }
    for (HeaderMutation m : levels) {
      m.apply(headers, info);
    }
    if (weighted != null && !weightedFirst) {
      weighted.apply(headers, info);
    }
  }

  @Override
  public String toString() {
    return "RouteEntry{" + (name == null ? "" : name + ", ") + virtualHostName + ", " + path + ", "
        + actionType + "}";
  }
}
