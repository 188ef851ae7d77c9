package dev.egret.core.route;

import static dev.egret.core.route.MatcherCompiler.allowOnly;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Turns a {@code RouteConfiguration} into a {@link RouteTable}, reporting every problem with its path. */
final class RouteCompiler {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  static final String FILTER_CONFIG_TYPE = "type.googleapis.com/envoy.config.route.v3.FilterConfig";
  static final int DEFAULT_MAX_DIRECT_RESPONSE_BODY = 4096;
  private static final Pattern PATH_SEPARATED_PREFIX = Pattern.compile("^[^?#]+[^?#/]$");

  private final Predicate<String> clusterExists;
  private final int maxDirectResponseBody;

  private final PerFilterConfig perFilter;

  private RouteCompiler(Predicate<String> clusterExists, int maxDirectResponseBody, PerFilterConfig perFilter) {
    this.clusterExists = clusterExists;
    this.maxDirectResponseBody = maxDirectResponseBody;
    this.perFilter = perFilter;
  }

  static RouteTable compile(RouteConfiguration proto, ConfigPath at, Predicate<String> clusterExists,
      PerFilterConfig perFilter) {
    ConfigPath root = at.resourceName().isEmpty() && !proto.getName().isEmpty() ? at.resource(proto.getName()) : at;
    int errorsBefore = root.errorCount();
    allowOnly(proto, root, Set.of("name", "virtual_hosts", "metadata", "validate_clusters", "ignore_port_in_host_matching",
        "max_direct_response_body_size_bytes", "typed_per_filter_config", "request_headers_to_add",
        "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove",
        "most_specific_header_mutations_wins"));
    boolean validate = !proto.hasValidateClusters() || proto.getValidateClusters().getValue();
    int maxBody = proto.hasMaxDirectResponseBodySizeBytes()
        ? proto.getMaxDirectResponseBodySizeBytes().getValue() : DEFAULT_MAX_DIRECT_RESPONSE_BODY;
    RouteCompiler c = new RouteCompiler(validate ? clusterExists : name -> true, maxBody, perFilter);
    c.mostSpecificHeaderMutationsWins = proto.getMostSpecificHeaderMutationsWins();
    c.configRequestHeaders = requestHeaders(proto.getRequestHeadersToAddList(),
        proto.getRequestHeadersToRemoveList(), root);
    c.configResponseHeaders = responseHeaders(proto.getResponseHeadersToAddList(),
        proto.getResponseHeadersToRemoveList(), root);
    c.configLevel = c.perFilterConfigs(proto.getTypedPerFilterConfigMap(), root.field("typed_per_filter_config"),
        Map.of());

    DomainIndex.Builder<VirtualHostRoutes> domains = DomainIndex.builder();
    List<VirtualHostRoutes> hosts = new ArrayList<>();
    for (int i = 0; i < proto.getVirtualHostsCount(); i++) {
      VirtualHost vh = proto.getVirtualHosts(i);
      ConfigPath vat = root.field("virtual_hosts").index(i);
      VirtualHostRoutes compiled = c.virtualHost(vh, vat);
      if (compiled == null) {
        continue;
      }
      hosts.add(compiled);
      for (int d = 0; d < vh.getDomainsCount(); d++) {
        String domain = Ascii.toLowerCase(vh.getDomains(d));
        if (!domains.add(domain, compiled)) {
          vat.field("domains").index(d).error(domain.equals("*")
              ? "only one virtual host may use the domain '*'"
              : "domain '" + domain + "' appears more than once; domains must be unique across virtual hosts");
        }
      }
    }
    if (root.errorCount() > errorsBefore) {
      return null;
    }
    return new RouteTable(proto.getName(), hosts, domains.build(), proto.getIgnorePortInHostMatching());
  }

  private VirtualHostRoutes virtualHost(VirtualHost vh, ConfigPath at) {
    int before = at.errorCount();
    allowOnly(vh, at, Set.of("name", "domains", "routes", "retry_policy", "include_request_attempt_count",
        "include_attempt_count_in_response", "typed_per_filter_config", "request_headers_to_add",
        "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove",
        "metadata")); // metadata: data for filters and logs (kgateway sets it), as on routes
    Map<String, Object> vhostOwn = perFilterConfigs(vh.getTypedPerFilterConfigMap(),
        at.field("typed_per_filter_config"), Map.of());
    Map<String, Object> vhostLevel = merge(configLevel, vhostOwn);
    RetryPolicy vhostRetry = vh.hasRetryPolicy() ? RetryPolicy.compile(vh.getRetryPolicy(), at.field("retry_policy")) : null;
    VhostDefaults defaults = new VhostDefaults(vhostRetry, vh.getIncludeRequestAttemptCount(),
        vh.getIncludeAttemptCountInResponse(), vhostLevel, vhostOwn,
        requestHeaders(vh.getRequestHeadersToAddList(), vh.getRequestHeadersToRemoveList(), at),
        responseHeaders(vh.getResponseHeadersToAddList(), vh.getResponseHeadersToRemoveList(), at));
    if (vh.getName().isEmpty()) {
      at.field("name").error("virtual host name must not be empty");
    }
    if (vh.getDomainsCount() == 0) {
      at.field("domains").error("a virtual host needs at least one domain");
    }
    List<RouteEntry> routes = new ArrayList<>();
    for (int i = 0; i < vh.getRoutesCount(); i++) {
      RouteEntry r = route(vh.getRoutes(i), vh.getName(), defaults, at.field("routes").index(i));
      if (r != null) {
        routes.add(r);
      }
    }
    return at.errorCount() > before ? null : new VirtualHostRoutes(vh.getName(), vh.getDomainsList(), routes);
  }

  /** What a virtual host gives each of its routes. */
  private record VhostDefaults(RetryPolicy retryPolicy, boolean includeRequestAttemptCount,
      boolean includeAttemptCountInResponse, Map<String, Object> perFilter, Map<String, Object> perFilterOwn,
      HeaderMutation requestHeaders,
      HeaderMutation responseHeaders) {}

  private boolean mostSpecificHeaderMutationsWins;
  private HeaderMutation configRequestHeaders = HeaderMutation.NONE;
  private HeaderMutation configResponseHeaders = HeaderMutation.NONE;

  private static HeaderMutation requestHeaders(List<io.envoyproxy.envoy.config.core.v3.HeaderValueOption> add,
      List<String> remove, ConfigPath at) {
    HeaderMutation m = HeaderMutation.compile(add, remove, at.field("request_headers_to_add"),
        at.field("request_headers_to_remove"));
    return m == null ? HeaderMutation.NONE : m;
  }

  private static HeaderMutation responseHeaders(List<io.envoyproxy.envoy.config.core.v3.HeaderValueOption> add,
      List<String> remove, ConfigPath at) {
    HeaderMutation m = HeaderMutation.compile(add, remove, at.field("response_headers_to_add"),
        at.field("response_headers_to_remove"));
    return m == null ? HeaderMutation.NONE : m;
  }

  private static Map<String, Object> merge(Map<String, Object> inherited, Map<String, Object> own) {
    if (own.isEmpty()) {
      return inherited;
    }
    if (inherited.isEmpty()) {
      return own;
    }
    Map<String, Object> out = new HashMap<>(inherited);
    out.putAll(own);
    return Map.copyOf(out);
  }

  /** Each filter's per-route configs of the route, virtual host and route configuration, in that order. */
  private static Map<String, List<Object>> levels(Map<String, Object> route, Map<String, Object> vhost,
      Map<String, Object> config) {
    if (route.isEmpty() && vhost.isEmpty() && config.isEmpty()) {
      return Map.of();
    }
    Map<String, List<Object>> out = new HashMap<>();
    for (Map<String, Object> level : List.of(route, vhost, config)) {
      level.forEach((name, value) -> out.computeIfAbsent(name, n -> new ArrayList<>(3)).add(value));
    }
    out.replaceAll((name, list) -> List.copyOf(list));
    return Map.copyOf(out);
  }

  /** The levels in the order they are applied: most specific first unless the flag reverses it. */
  private HeaderMutation[] levels(HeaderMutation route, HeaderMutation vhost, HeaderMutation config) {
    List<HeaderMutation> out = new ArrayList<>(3);
    for (HeaderMutation m : mostSpecificHeaderMutationsWins ? new HeaderMutation[] {config, vhost, route}
        : new HeaderMutation[] {route, vhost, config}) {
      if (!m.isEmpty()) {
        out.add(m);
      }
    }
    return out.toArray(new HeaderMutation[0]);
  }

  /** The route configuration's own {@code typed_per_filter_config}, inherited by every route. */
  private Map<String, Object> configLevel = Map.of();

  /**
   * Compiles a {@code typed_per_filter_config} map over the entries inherited from the enclosing
   * level: the most specific level wins, filter by filter.
   */
  private Map<String, Object> perFilterConfigs(Map<String, Any> entries, ConfigPath at, Map<String, Object> inherited) {
    if (entries.isEmpty()) {
      return inherited;
    }
    Map<String, Object> out = new HashMap<>(inherited);
    for (Map.Entry<String, Any> e : new TreeMap<>(entries).entrySet()) {
      ConfigPath ea = at.field(e.getKey());
      Any config = e.getValue();
      if (config.getTypeUrl().equals(FILTER_CONFIG_TYPE)) {
        FilterConfig wrapper;
        try {
          wrapper = config.unpack(FilterConfig.class);
        } catch (InvalidProtocolBufferException ex) {
          ea.error("cannot decode " + FILTER_CONFIG_TYPE + ": " + ex.getMessage());
          continue;
        }
        allowOnly(wrapper, ea, Set.of("config", "is_optional", "disabled"));
        if (wrapper.getDisabled()) {
          out.put(e.getKey(), PerFilterConfig.DISABLED);
          continue;
        }
        config = wrapper.getConfig();
        if (wrapper.getIsOptional()) {
          ConfigPath probe = ConfigPath.root(ea.path());
          Object compiled = perFilter.compile(e.getKey(), config, probe.field("config"));
          if (compiled != null) {
            out.put(e.getKey(), compiled); // an optional config no filter understands is skipped
          }
          continue;
        }
        ea = ea.field("config");
      }
      Object compiled = perFilter.compile(e.getKey(), config, ea);
      if (compiled != null) {
        out.put(e.getKey(), compiled);
      }
    }
    return Map.copyOf(out);
  }

  private RouteEntry route(Route r, String vhostName, VhostDefaults defaults, ConfigPath at) {
    int before = at.errorCount();
    // metadata is data for filters and logs, not behaviour: kept in the config dump, never acted on here
    // decorator names the span of a trace; Egret does not trace, so it changes nothing here
    allowOnly(r, at, Set.of("name", "match", "route", "redirect", "direct_response", "metadata", "decorator",
        "typed_per_filter_config", "request_headers_to_add", "request_headers_to_remove",
        "response_headers_to_add", "response_headers_to_remove"));
    HeaderMutation routeRequest = requestHeaders(r.getRequestHeadersToAddList(), r.getRequestHeadersToRemoveList(), at);
    HeaderMutation routeResponse = responseHeaders(r.getResponseHeadersToAddList(),
        r.getResponseHeadersToRemoveList(), at);
    Map<String, Object> routeOwn = perFilterConfigs(r.getTypedPerFilterConfigMap(),
        at.field("typed_per_filter_config"), Map.of());
    Map<String, Object> perFilterLevel = merge(defaults.perFilter(), routeOwn);
    Map<String, List<Object>> perFilterLevels = levels(routeOwn, defaults.perFilterOwn(), configLevel);
    if (!r.hasMatch()) {
      at.field("match").error("match is required");
      return null;
    }
    PathMatcher path = pathMatcher(r.getMatch(), at.field("match"));
    List<HeaderMatch> headers = new ArrayList<>();
    for (int i = 0; i < r.getMatch().getHeadersCount(); i++) {
      headers.add(MatcherCompiler.header(r.getMatch().getHeaders(i), at.field("match").field("headers").index(i)));
    }
    List<QueryParamMatch> params = new ArrayList<>();
    for (int i = 0; i < r.getMatch().getQueryParametersCount(); i++) {
      params.add(MatcherCompiler.query(r.getMatch().getQueryParameters(i),
          at.field("match").field("query_parameters").index(i)));
    }
    ClusterAction cluster = null;
    Redirect redirect = null;
    DirectResponse direct = null;
    switch (r.getActionCase()) {
      case ROUTE -> cluster = clusterAction(r.getRoute(), path, defaults, at.field("route"));
      case REDIRECT -> redirect = redirect(r.getRedirect(), path, at.field("redirect"));
      case DIRECT_RESPONSE -> direct = directResponse(r.getDirectResponse(), at.field("direct_response"));
      case ACTION_NOT_SET -> at.error("a route needs one of route, redirect, direct_response");
      default -> { } // reported by allowOnly
    }
    if (at.errorCount() > before) {
      return null;
    }
    return new RouteEntry(r.getName(), vhostName, path, headers, params, cluster, redirect, direct,
        perFilterLevel, perFilterLevels, new RouteEntry.HeaderLevels(
            levels(routeRequest, defaults.requestHeaders(), configRequestHeaders),
            levels(routeResponse, defaults.responseHeaders(), configResponseHeaders),
            mostSpecificHeaderMutationsWins));
  }

  private PathMatcher pathMatcher(RouteMatch m, ConfigPath at) {
    allowOnly(m, at, Set.of("prefix", "path", "safe_regex", "path_separated_prefix", "case_sensitive",
        "headers", "query_parameters", "connect_matcher"));
    boolean ignoreCase = m.hasCaseSensitive() && !m.getCaseSensitive().getValue();
    return switch (m.getPathSpecifierCase()) {
      case PREFIX -> new PathMatcher(PathMatcher.Kind.PREFIX, m.getPrefix(), ignoreCase, null);
      case PATH -> new PathMatcher(PathMatcher.Kind.PATH, m.getPath(), ignoreCase, null);
      case PATH_SEPARATED_PREFIX -> {
        String p = m.getPathSeparatedPrefix();
        if (!PATH_SEPARATED_PREFIX.matcher(p).matches()) {
          at.field("path_separated_prefix").error("'" + p
              + "' must be non-empty, hold no '?' or '#', and not end with '/'");
        }
        yield new PathMatcher(PathMatcher.Kind.PATH_SEPARATED_PREFIX, p, ignoreCase, null);
      }
      case SAFE_REGEX -> {
        Pattern p = MatcherCompiler.regex(m.getSafeRegex(), at.field("safe_regex"));
        yield new PathMatcher(PathMatcher.Kind.REGEX, m.getSafeRegex().getRegex(), false, p);
      }
      case CONNECT_MATCHER -> {
        allowOnly(m.getConnectMatcher(), at.field("connect_matcher"), Set.of());
        yield new PathMatcher(PathMatcher.Kind.CONNECT, "", false, null);
      }
      case PATHSPECIFIER_NOT_SET -> {
        at.error("match needs one of prefix, path, safe_regex, path_separated_prefix, connect_matcher");
        yield new PathMatcher(PathMatcher.Kind.PREFIX, "", false, null);
      }
      default -> new PathMatcher(PathMatcher.Kind.PREFIX, "", false, null); // reported by allowOnly
    };
  }

  private ClusterAction clusterAction(RouteAction a, PathMatcher path, VhostDefaults defaults, ConfigPath at) {
    allowOnly(a, at, Set.of("cluster", "weighted_clusters", "cluster_header", "cluster_not_found_response_code",
        "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "auto_host_rewrite", "timeout", "retry_policy",
        "idle_timeout", "max_grpc_timeout", "max_stream_duration", "upgrade_configs"));
    ConnectUpgrade connect = ConnectUpgrade.compile(a.getUpgradeConfigsList(), at.field("upgrade_configs"));
    Duration maxStream = null;
    Duration grpcHeaderMax = null;
    Duration grpcHeaderOffset = null;
    if (a.hasMaxStreamDuration()) {
      ConfigPath ma = at.field("max_stream_duration");
      allowOnly(a.getMaxStreamDuration(), ma, Set.of("max_stream_duration", "grpc_timeout_header_max",
          "grpc_timeout_header_offset"));
      if (a.getMaxStreamDuration().hasMaxStreamDuration()) {
        var d = a.getMaxStreamDuration().getMaxStreamDuration();
        maxStream = Duration.ofSeconds(d.getSeconds(), d.getNanos());
      }
      if (a.getMaxStreamDuration().hasGrpcTimeoutHeaderMax()) {
        var d = a.getMaxStreamDuration().getGrpcTimeoutHeaderMax();
        grpcHeaderMax = Duration.ofSeconds(d.getSeconds(), d.getNanos());
      }
      if (a.getMaxStreamDuration().hasGrpcTimeoutHeaderOffset()) {
        var d = a.getMaxStreamDuration().getGrpcTimeoutHeaderOffset();
        grpcHeaderOffset = Duration.ofSeconds(d.getSeconds(), d.getNanos());
      }
    }
    Duration maxGrpc = a.hasMaxGrpcTimeout()
        ? Duration.ofSeconds(a.getMaxGrpcTimeout().getSeconds(), a.getMaxGrpcTimeout().getNanos()) : null;
    Duration idle = a.hasIdleTimeout()
        ? Duration.ofSeconds(a.getIdleTimeout().getSeconds(), a.getIdleTimeout().getNanos()) : null;
    // a route's retry policy replaces its virtual host's as a whole (no field merge)
    RetryPolicy retry = a.hasRetryPolicy() ? RetryPolicy.compile(a.getRetryPolicy(), at.field("retry_policy"))
        : defaults.retryPolicy();
    String cluster = null;
    String clusterHeader = null;
    List<WeightedCluster> weighted = List.of();
    switch (a.getClusterSpecifierCase()) {
      case CLUSTER -> {
        cluster = a.getCluster();
        if (cluster.isEmpty()) {
          at.field("cluster").error("cluster must not be empty");
        } else if (!clusterExists.test(cluster)) {
          at.field("cluster").error("unknown cluster '" + cluster + "'");
        }
      }
      case CLUSTER_HEADER -> {
        clusterHeader = Ascii.toLowerCase(a.getClusterHeader());
        if (clusterHeader.isEmpty()) {
          at.field("cluster_header").error("cluster_header must not be empty");
        }
      }
      case WEIGHTED_CLUSTERS -> weighted = weightedClusters(a.getWeightedClusters(), at.field("weighted_clusters"));
      case CLUSTERSPECIFIER_NOT_SET -> at.error("route needs one of cluster, weighted_clusters, cluster_header");
      default -> { } // reported by allowOnly
    }
    int notFound = switch (a.getClusterNotFoundResponseCode()) {
      case SERVICE_UNAVAILABLE -> 503;
      case NOT_FOUND -> 404;
      case INTERNAL_SERVER_ERROR -> 500;
      default -> {
        at.field("cluster_not_found_response_code").error("unknown cluster_not_found_response_code");
        yield 503;
      }
    };
    if (!a.getPrefixRewrite().isEmpty() && a.hasRegexRewrite()) {
      at.error("specify only one of prefix_rewrite and regex_rewrite");
    }
    PathRewrite rewrite = pathRewrite(a.getPrefixRewrite(), a.hasRegexRewrite() ? a.getRegexRewrite() : null,
        path, at);
    Duration timeout = DEFAULT_TIMEOUT;
    if (a.hasTimeout()) {
      timeout = Duration.ofSeconds(a.getTimeout().getSeconds(), a.getTimeout().getNanos());
      if (timeout.isNegative()) {
        at.field("timeout").error("timeout must not be negative");
      }
    }
    String hostLiteral = a.getHostRewriteLiteral().isEmpty() ? null : a.getHostRewriteLiteral();
    boolean autoHost = a.hasAutoHostRewrite() && a.getAutoHostRewrite().getValue();
    return new ClusterAction(cluster, weighted, clusterHeader, notFound, rewrite, hostLiteral, autoHost, timeout,
        retry, defaults.includeRequestAttemptCount(), defaults.includeAttemptCountInResponse(), idle, maxGrpc,
        maxStream, connect, grpcHeaderMax, grpcHeaderOffset);
  }

  private List<WeightedCluster> weightedClusters(io.envoyproxy.envoy.config.route.v3.WeightedCluster w, ConfigPath at) {
    allowOnly(w, at, Set.of("clusters", "total_weight"));
    List<WeightedCluster> out = new ArrayList<>();
    long sum = 0;
    for (int i = 0; i < w.getClustersCount(); i++) {
      var cw = w.getClusters(i);
      ConfigPath cat = at.field("clusters").index(i);
      allowOnly(cw, cat, Set.of("name", "weight", "request_headers_to_add", "request_headers_to_remove",
          "response_headers_to_add", "response_headers_to_remove"));
      if (cw.getName().isEmpty()) {
        cat.field("name").error("weighted cluster name must not be empty");
        continue;
      }
      if (!cw.hasWeight()) {
        cat.field("weight").error("weight is required");
        continue;
      }
      if (!clusterExists.test(cw.getName())) {
        cat.field("name").error("unknown weighted cluster '" + cw.getName() + "'");
      }
      long weight = Integer.toUnsignedLong(cw.getWeight().getValue());
      sum += weight;
      out.add(new WeightedCluster(cw.getName(), weight,
          requestHeaders(cw.getRequestHeadersToAddList(), cw.getRequestHeadersToRemoveList(), cat),
          responseHeaders(cw.getResponseHeadersToAddList(), cw.getResponseHeadersToRemoveList(), cat)));
    }
    if (w.getClustersCount() == 0) {
      at.field("clusters").error("weighted_clusters needs at least one cluster");
    } else if (sum == 0 && out.size() == w.getClustersCount()) {
      at.error("sum of weights in weighted_clusters must be greater than 0");
    }
    if (w.hasTotalWeight() && Integer.toUnsignedLong(w.getTotalWeight().getValue()) != sum) {
      at.field("total_weight").error("total_weight " + Integer.toUnsignedLong(w.getTotalWeight().getValue())
          + " does not equal the sum of the cluster weights (" + sum + ")");
    }
    return out;
  }

  private static PathRewrite pathRewrite(String prefix,
      io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute regex, PathMatcher path, ConfigPath at) {
    if (!prefix.isEmpty()) {
      return PathRewrite.prefix(path, prefix);
    }
    if (regex != null) {
      RegexRewrite r = RegexRewrite.compile(regex, at.field("regex_rewrite"));
      return r == null ? null : PathRewrite.regex(r);
    }
    return null;
  }

  private Redirect redirect(RedirectAction r, PathMatcher path, ConfigPath at) {
    allowOnly(r, at, Set.of("scheme_redirect", "https_redirect", "host_redirect", "port_redirect",
        "path_redirect", "prefix_rewrite", "regex_rewrite", "response_code", "strip_query"));
    int status = switch (r.getResponseCode()) {
      case MOVED_PERMANENTLY -> 301;
      case FOUND -> 302;
      case SEE_OTHER -> 303;
      case TEMPORARY_REDIRECT -> 307;
      case PERMANENT_REDIRECT -> 308;
      default -> {
        at.field("response_code").error("unknown redirect response_code");
        yield 301;
      }
    };
    if (r.getPortRedirect() > 65535) {
      at.field("port_redirect").error("port_redirect " + Integer.toUnsignedLong(r.getPortRedirect())
          + " is not a port");
    }
    String scheme = r.getSchemeRedirect().isEmpty() ? null : r.getSchemeRedirect();
    String pathRedirect = r.getPathRewriteSpecifierCase() == RedirectAction.PathRewriteSpecifierCase.PATH_REDIRECT
        ? r.getPathRedirect() : null;
    if (pathRedirect != null && pathRedirect.isEmpty()) {
      pathRedirect = null;
    }
    PathRewrite rewrite = pathRewrite(r.getPrefixRewrite(), r.hasRegexRewrite() ? r.getRegexRewrite() : null,
        path, at);
    return new Redirect(status, scheme, r.getHttpsRedirect(), r.getHostRedirect().isEmpty() ? null
        : r.getHostRedirect(), r.getPortRedirect(), pathRedirect, rewrite, r.getStripQuery());
  }

  private DirectResponse directResponse(DirectResponseAction d, ConfigPath at) {
    allowOnly(d, at, Set.of("status", "body"));
    if (d.getStatus() < 200 || d.getStatus() >= 600) {
      at.field("status").error("status " + Integer.toUnsignedLong(d.getStatus()) + " is not in [200, 600)");
    }
    byte[] body = new byte[0];
    if (d.hasBody()) {
      DataSource b = d.getBody();
      ConfigPath bat = at.field("body");
      allowOnly(b, bat, Set.of("inline_string", "inline_bytes"));
      switch (b.getSpecifierCase()) {
        case INLINE_STRING -> body = b.getInlineStringBytes().toByteArray();
        case INLINE_BYTES -> body = b.getInlineBytes().toByteArray();
        default -> { }
      }
      if (body.length > maxDirectResponseBody) {
        bat.error("response body size is " + body.length + " bytes; maximum is " + maxDirectResponseBody);
      }
    }
    return new DirectResponse(d.getStatus(), body);
  }
}
