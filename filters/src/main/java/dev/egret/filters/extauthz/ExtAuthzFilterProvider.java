package dev.egret.filters.extauthz;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.router.ClusterRuntime;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.CheckSettings;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.grpc.Metadata;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compiles {@code envoy.extensions.filters.http.ext_authz.v3.ExtAuthz} and its per-route
 * {@code ExtAuthzPerRoute} (rbac-extauthz.md §5). Supported: {@code grpc_service} ({@code envoy_grpc}
 * cluster + authority, {@code google_grpc.target_uri} plaintext, {@code timeout} default 200 ms,
 * {@code initial_metadata}), {@code http_service} ({@code server_uri}, {@code path_prefix},
 * {@code authorization_request.headers_to_add}, every {@code authorization_response} selector),
 * {@code transport_api_version} V3, {@code failure_mode_allow}, {@code failure_mode_allow_header_add},
 * {@code status_on_error}, {@code allowed_headers}, {@code disallowed_headers},
 * {@code metadata_context_namespaces}, {@code include_tls_session}, {@code filter_enabled} (its default
 * fraction: Egret has no runtime), {@code filter_enabled_metadata}, {@code deny_at_disable} (default
 * value), {@code validate_mutations}, {@code enable_dynamic_metadata_ingestion}, {@code stat_prefix},
 * {@code clear_route_cache} (the router always routes on the changed headers) and
 * {@code charge_cluster_response_stats} (accepted; no per-cluster ext_authz stats are kept).
 * Anything else, {@code with_request_body} included, is rejected with its field path.
 */
public final class ExtAuthzFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";
  public static final String PER_ROUTE_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute";
  static final long DEFAULT_TIMEOUT_MS = 200;

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public Set<String> perRouteTypeUrls() {
    return Set.of(PER_ROUTE_TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    try {
      return compile(typedConfig.unpack(ExtAuthz.class), at, context);
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode " + TYPE_URL + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * {@code disabled: true} turns the filter off for the route; {@code check_settings.context_extensions}
   * are sent with the route's checks. ({@code disabled: false} keeps the filter on: Egret has no
   * filters disabled by default to enable.)
   */
  @Override
  public Object compilePerRoute(Any typedConfig, ConfigPath at, FilterContext context) {
    ExtAuthzPerRoute per = Protos.unpack(typedConfig, ExtAuthzPerRoute.class, at);
    if (per == null) {
      return null;
    }
    Fields.allowOnly(per, at, Set.of("disabled", "check_settings"));
    if (per.getOverrideCase() == ExtAuthzPerRoute.OverrideCase.DISABLED && per.getDisabled()) {
      return PerFilterConfig.DISABLED;
    }
    CheckSettings cs = per.getCheckSettings();
    ConfigPath ca = at.field("check_settings");
    int before = at.errorCount();
    Fields.allowOnly(cs, ca, Set.of("context_extensions", "disable_request_body_buffering", "with_request_body"));
    if (cs.hasWithRequestBody()) {
      ca.field("with_request_body").error(noBodyBuffering());
    }
    return at.errorCount() > before ? null : new RouteSettings(cs.getContextExtensionsMap());
  }

  /** Compiles a decoded filter configuration; null after reporting at {@code at}. */
  public static ExtAuthzFilterFactory compile(ExtAuthz p, ConfigPath at, FilterContext context) {
    int before = at.errorCount();
    Fields.allowOnly(p, at, Set.of("grpc_service", "http_service", "transport_api_version", "failure_mode_allow",
        "failure_mode_allow_header_add", "status_on_error", "clear_route_cache", "validate_mutations",
        "metadata_context_namespaces", "filter_enabled", "filter_enabled_metadata", "deny_at_disable",
        "stat_prefix", "allowed_headers", "disallowed_headers", "include_tls_session",
        "charge_cluster_response_stats", "enable_dynamic_metadata_ingestion", "with_request_body"));
    if (p.hasWithRequestBody()) {
      at.field("with_request_body").error(noBodyBuffering());
    }
    if (p.getTransportApiVersion() != ApiVersion.AUTO && p.getTransportApiVersion() != ApiVersion.V3) {
      at.field("transport_api_version").error("only V3 is supported");
    }
    HeaderSelector allowed = selector(p.hasAllowedHeaders(), p.getAllowedHeaders(), at.field("allowed_headers"));
    HeaderSelector disallowed = selector(p.hasDisallowedHeaders(), p.getDisallowedHeaders(),
        at.field("disallowed_headers"));
    double fraction = 1.0;
    if (p.hasFilterEnabled()) {
      ConfigPath fa = at.field("filter_enabled");
      Fields.allowOnly(p.getFilterEnabled(), fa, Set.of("default_value", "runtime_key"));
      fraction = fraction(p.getFilterEnabled().getDefaultValue(), fa.field("default_value"));
    }
    EnabledMetadata enabledMetadata = p.hasFilterEnabledMetadata()
        ? EnabledMetadata.compile(p.getFilterEnabledMetadata(), at.field("filter_enabled_metadata")) : null;
    boolean denyAtDisable = false;
    if (p.hasDenyAtDisable()) {
      Fields.allowOnly(p.getDenyAtDisable(), at.field("deny_at_disable"), Set.of("default_value", "runtime_key"));
      denyAtDisable = p.getDenyAtDisable().getDefaultValue().getValue();
    }
    int statusOnError = 403;
    if (p.hasStatusOnError()) {
      Fields.allowOnly(p.getStatusOnError(), at.field("status_on_error"), Set.of("code"));
      int code = p.getStatusOnError().getCodeValue();
      statusOnError = code >= 100 && code <= 511 ? code : 403;
    }
    AuthzClient client = null;
    switch (p.getServicesCase()) {
      case GRPC_SERVICE -> {
        CheckRequestBuilder requests = new CheckRequestBuilder(allowed, disallowed, p.getIncludeTlsSession(),
            p.getMetadataContextNamespacesList());
        client = grpc(p.getGrpcService(), at.field("grpc_service"), context, requests);
      }
      case HTTP_SERVICE -> client = http(p.getHttpService(), at.field("http_service"), context, allowed, disallowed);
      default -> at.error("one of grpc_service or http_service is required");
    }
    if (at.errorCount() > before || client == null) {
      return null;
    }
    ExtAuthzFilterFactory.Policy policy = new ExtAuthzFilterFactory.Policy(p.getFailureModeAllow(),
        p.getFailureModeAllowHeaderAdd(), statusOnError, fraction, enabledMetadata, denyAtDisable,
        p.getValidateMutations(),
        !p.hasEnableDynamicMetadataIngestion() || p.getEnableDynamicMetadataIngestion().getValue());
    return new ExtAuthzFilterFactory(context.filterName(), client, policy,
        new ExtAuthzStats(context, p.getStatPrefix()));
  }

  private static String noBodyBuffering() {
    return "with_request_body is not supported by Egret yet: its HTTP filter API cannot buffer a request "
        + "body for a filter (checks carry headers only)";
  }

  private static HeaderSelector selector(boolean set, ListStringMatcher m, ConfigPath at) {
    return set ? HeaderSelector.compile(m, at) : null;
  }

  private static double fraction(FractionalPercent f, ConfigPath at) {
    Fields.allowOnly(f, at, Set.of("numerator", "denominator"));
    double denominator = switch (f.getDenominator()) {
      case HUNDRED -> 100;
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> {
        at.field("denominator").error("unknown denominator " + f.getDenominator());
        yield 100;
      }
    };
    return Math.min(1.0, f.getNumerator() / denominator);
  }

  private static AuthzClient grpc(GrpcService g, ConfigPath at, FilterContext context, CheckRequestBuilder requests) {
    Fields.allowOnly(g, at, Set.of("envoy_grpc", "google_grpc", "timeout", "initial_metadata"));
    long timeout = g.hasTimeout() ? Addresses.millis(g.getTimeout()) : DEFAULT_TIMEOUT_MS;
    Metadata metadata = null;
    for (int i = 0; i < g.getInitialMetadataCount(); i++) {
      HeaderValue hv = g.getInitialMetadata(i);
      ConfigPath ma = at.field("initial_metadata").index(i);
      Fields.allowOnly(hv, ma, Set.of("key", "value"));
      try {
        Metadata.Key<String> key = Metadata.Key.of(hv.getKey().toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER);
        metadata = metadata == null ? new Metadata() : metadata;
        metadata.put(key, hv.getValue());
      } catch (IllegalArgumentException e) {
        ma.field("key").error("invalid gRPC metadata key '" + hv.getKey() + "': " + e.getMessage());
      }
    }
    switch (g.getTargetSpecifierCase()) {
      case ENVOY_GRPC -> {
        GrpcService.EnvoyGrpc e = g.getEnvoyGrpc();
        ConfigPath ea = at.field("envoy_grpc");
        Fields.allowOnly(e, ea, Set.of("cluster_name", "authority"));
        if (!clusterUsable(e.getClusterName(), ea.field("cluster_name"), context)) {
          return null;
        }
        String authority = e.getAuthority().isEmpty() ? e.getClusterName() : e.getAuthority();
        return GrpcAuthzClient.forCluster(e.getClusterName(), authority, context.clusters(), timeout, metadata,
            requests);
      }
      case GOOGLE_GRPC -> {
        GrpcService.GoogleGrpc gg = g.getGoogleGrpc();
        ConfigPath ga = at.field("google_grpc");
        Fields.allowOnly(gg, ga, Set.of("target_uri", "stat_prefix"));
        if (gg.getTargetUri().isEmpty()) {
          ga.field("target_uri").error("target_uri is required");
          return null;
        }
        return GrpcAuthzClient.forTarget(gg.getTargetUri(), timeout, metadata, requests);
      }
      default -> {
        at.error("one of envoy_grpc or google_grpc is required");
        return null;
      }
    }
  }

  private static boolean clusterUsable(String name, ConfigPath at, FilterContext context) {
    if (name.isEmpty()) {
      at.error("a cluster name is required");
      return false;
    }
    ClusterRuntime c = context.cluster(name);
    if (c == null) {
      at.error("cluster '" + name + "' is not defined");
      return false;
    }
    if (c.usesTls() && at.path().contains("envoy_grpc")) {
      at.error("cluster '" + name + "' uses TLS, which Egret's gRPC authorization client does not speak yet");
      return false;
    }
    return true;
  }

  private static AuthzClient http(HttpService h, ConfigPath at, FilterContext context, HeaderSelector allowed,
      HeaderSelector disallowed) {
    Fields.allowOnly(h, at, Set.of("server_uri", "path_prefix", "authorization_request", "authorization_response"));
    HttpUri uri = h.getServerUri();
    ConfigPath ua = at.field("server_uri");
    Fields.allowOnly(uri, ua, Set.of("uri", "cluster", "timeout"));
    if (!h.hasServerUri()) {
      ua.error("server_uri is required");
      return null;
    }
    if (!uri.hasTimeout()) {
      ua.field("timeout").error("timeout is required");
    }
    if (!clusterUsable(uri.getCluster(), ua.field("cluster"), context)) {
      return null;
    }
    if (!h.getPathPrefix().isEmpty() && !h.getPathPrefix().startsWith("/")) {
      at.field("path_prefix").error("path_prefix must start with '/'");
    }
    List<String[]> headersToAdd = new ArrayList<>();
    AuthorizationRequest rq = h.getAuthorizationRequest();
    ConfigPath ra = at.field("authorization_request");
    Fields.allowOnly(rq, ra, Set.of("headers_to_add"));
    for (int i = 0; i < rq.getHeadersToAddCount(); i++) {
      HeaderValue hv = rq.getHeadersToAdd(i);
      ConfigPath ha = ra.field("headers_to_add").index(i);
      Fields.allowOnly(hv, ha, Set.of("key", "value"));
      if (hv.getKey().isEmpty()) {
        ha.field("key").error("key must not be empty");
      }
      headersToAdd.add(new String[] {hv.getKey().toLowerCase(Locale.ROOT), hv.getValue()});
    }
    AuthorizationResponse rs = h.getAuthorizationResponse();
    ConfigPath sa = at.field("authorization_response");
    Fields.allowOnly(rs, sa, Set.of("allowed_upstream_headers", "allowed_upstream_headers_to_append",
        "allowed_client_headers", "allowed_client_headers_on_success", "dynamic_metadata_from_headers"));
    String authority;
    try {
      URI u = URI.create(uri.getUri());
      authority = u.getHost() != null ? u.getHost() : uri.getUri();
    } catch (IllegalArgumentException e) {
      authority = uri.getUri();
    }
    HttpAuthzClient.Settings s = new HttpAuthzClient.Settings(uri.getCluster(), authority,
        Addresses.millis(uri.getTimeout()), h.getPathPrefix(), allowed, disallowed, headersToAdd,
        selector(rs.hasAllowedUpstreamHeaders(), rs.getAllowedUpstreamHeaders(), sa.field("allowed_upstream_headers")),
        selector(rs.hasAllowedUpstreamHeadersToAppend(), rs.getAllowedUpstreamHeadersToAppend(),
            sa.field("allowed_upstream_headers_to_append")),
        selector(rs.hasAllowedClientHeaders(), rs.getAllowedClientHeaders(), sa.field("allowed_client_headers")),
        selector(rs.hasAllowedClientHeadersOnSuccess(), rs.getAllowedClientHeadersOnSuccess(),
            sa.field("allowed_client_headers_on_success")),
        selector(rs.hasDynamicMetadataFromHeaders(), rs.getDynamicMetadataFromHeaders(),
            sa.field("dynamic_metadata_from_headers")));
    return new HttpAuthzClient(s, context.clusters());
  }
}
