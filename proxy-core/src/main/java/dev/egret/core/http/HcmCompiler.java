package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLog;
import dev.egret.core.accesslog.AccessLogs;
import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import dev.egret.core.http.filter.HttpFilterRegistry;
import dev.egret.core.stats.Stats;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Compiles {@code envoy.filters.network.http_connection_manager} into an {@link HcmConfig}. Defaults
 * follow hardening.md where it deliberately differs from Envoy (a 10 s request-headers timeout);
 * otherwise Envoy's.
 *
 * <p>{@code tracing} and {@code request_id_extension} (UUID only) are accepted as no-ops: Egret does
 * not trace, and always makes UUID request ids. A tracing {@code provider} is rejected.
 * {@code forward_client_cert_details} / {@code set_current_client_cert_details} build
 * {@code x-forwarded-client-cert} ({@link ForwardClientCert}); {@code path_with_escaped_slashes_action}
 * runs before {@code normalize_path} ({@link EscapedSlashesAction}).
 */
public final class HcmCompiler {
  static final String ROUTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
  static final String UUID_REQUEST_ID_TYPE =
      "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig";
  static final long DEFAULT_REQUEST_HEADERS_TIMEOUT_MS = 10_000;
  static final long DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;
  static final long DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
  static final int DEFAULT_MAX_HEADERS_KB = 60;
  static final int MAX_HEADERS_KB_CAP = 96;

  /** Builds the router for a route configuration (it knows the clusters). */
  public interface RouterFactory {
    /** {@code perFilter} compiles the route table's {@code typed_per_filter_config} entries. */
    HttpRouter create(RouteConfiguration routes, ConfigPath at, PerFilterConfig perFilter);

    /**
     * The router for an HCM whose routes come from RDS ({@code rds}); null after recording errors.
     * Static configuration has no RDS: this default rejects it.
     */
    default HttpRouter rds(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds rds,
        ConfigPath at, PerFilterConfig perFilter) {
      at.error("rds needs dynamic_resources (the xDS client); use an inline route_config");
      return null;
    }
  }

  private final Stats stats;
  private final RouterFactory routers;
  private final AccessLogWriter accessLogWriter;
  private final HttpFilterRegistry filterRegistry = HttpFilterRegistry.load();
  private final AccessLog recentEntries;
  private final Function<String, ClusterRuntime> clusters;

  /** Keeps no recent entries ({@link RecentAccessLog#DISABLED}). */
  public HcmCompiler(Stats stats, RouterFactory routers, AccessLogWriter accessLogWriter) {
    this(stats, routers, accessLogWriter, RecentAccessLog.DISABLED);
  }

  /**
   * @param recentEntries fed every finished stream of every HCM compiled here, after the
   *                      configured access logs (the admin server's {@code /access_log} ring)
   */
  public HcmCompiler(Stats stats, RouterFactory routers, AccessLogWriter accessLogWriter,
      AccessLog recentEntries) {
    this(stats, routers, accessLogWriter, recentEntries, name -> null);
  }

  /**
   * As {@link #HcmCompiler(Stats, RouterFactory, AccessLogWriter, AccessLog)}; HTTP filters that call
   * a service (ext_authz) find its cluster through {@code clusters} (null for an unknown name).
   */
  public HcmCompiler(Stats stats, RouterFactory routers, AccessLogWriter accessLogWriter,
      AccessLog recentEntries, Function<String, ClusterRuntime> clusters) {
    this.stats = requireNonNull(stats);
    this.routers = requireNonNull(routers);
    this.accessLogWriter = requireNonNull(accessLogWriter);
    this.recentEntries = requireNonNull(recentEntries);
    this.clusters = requireNonNull(clusters);
  }

  /** Returns null after recording errors in {@code at}. */
  public HcmConfig compile(HttpConnectionManager p, ConfigPath at) {
    int errorsBefore = at.errorCount();
    Fields.allowOnly(p, at, Set.of("stat_prefix", "codec_type", "route_config", "http_filters",
        "server_name", "access_log", "use_remote_address", "xff_num_trusted_hops", "normalize_path",
        "merge_slashes", "generate_request_id", "preserve_external_request_id", "request_headers_timeout",
        "common_http_protocol_options", "http_protocol_options", "http2_protocol_options",
        "max_request_headers_kb", "stream_idle_timeout", "request_timeout", "rds", "upgrade_configs",
        "forward_client_cert_details", "set_current_client_cert_details", "tracing", "request_id_extension",
        "path_with_escaped_slashes_action"));
    HcmConfig.Extras extras = new HcmConfig.Extras(forwardClientCert(p, at),
        escapedSlashes(p, at.field("path_with_escaped_slashes_action")));
    if (p.hasTracing()) {
      tracing(p.getTracing(), at.field("tracing"));
    }
    if (p.hasRequestIdExtension()) {
      requestIdExtension(p.getRequestIdExtension(), at.field("request_id_extension"));
    }
    boolean connectUpgrade = connectUpgrade(p, at.field("upgrade_configs"));
    if (p.getStatPrefix().isEmpty()) {
      at.field("stat_prefix").error("stat_prefix is required");
    }
    HcmConfig.Codec codec = switch (p.getCodecType()) {
      case AUTO -> HcmConfig.Codec.AUTO;
      case HTTP1 -> HcmConfig.Codec.HTTP1;
      case HTTP2 -> HcmConfig.Codec.HTTP2;
      default -> {
        at.field("codec_type").error("codec_type " + p.getCodecType() + " is not supported");
        yield HcmConfig.Codec.AUTO;
      }
    };
    FilterContext scope = new FilterContext(stats, p.getStatPrefix(), "", clusters);
    List<HttpFilterFactory> filters = filters(p.getHttpFiltersList(), at.field("http_filters"), scope);
    PerFilterConfig perFilter = (filterName, config, cat) -> {
      HttpFilterProvider provider = filterRegistry.perRouteProvider(config.getTypeUrl());
      if (provider == null) {
        cat.error("per-route configuration " + config.getTypeUrl() + " (for filter '" + filterName
            + "') is not supported by Egret");
        return null;
      }
      return provider.compilePerRoute(config, cat, scope.named(filterName));
    };
    HttpRouter router = null;
    if (p.hasRouteConfig()) {
      ConfigPath rc = at.field("route_config");
      String rcName = p.getRouteConfig().getName();
      router = routers.create(p.getRouteConfig(), rcName.isEmpty() ? rc : rc.resource(rcName), perFilter);
    } else if (p.hasRds()) {
      router = routers.rds(p.getRds(), at.field("rds"), perFilter);
    } else {
      at.field("route_config").error("an inline route_config (or rds) is required");
    }
    int maxHeadersCount = 100;
    long maxStreamMs = 0;
    long idleMs = DEFAULT_IDLE_TIMEOUT_MS;
    if (p.hasCommonHttpProtocolOptions()) {
      HttpProtocolOptions c = p.getCommonHttpProtocolOptions();
      ConfigPath ca = at.field("common_http_protocol_options");
      Fields.allowOnly(c, ca, Set.of("idle_timeout", "max_headers_count", "max_stream_duration"));
      if (c.hasMaxStreamDuration()) {
        maxStreamMs = Addresses.millis(c.getMaxStreamDuration());
      }
      if (c.hasMaxHeadersCount()) {
        maxHeadersCount = c.getMaxHeadersCount().getValue();
      }
      if (c.hasIdleTimeout()) {
        idleMs = Addresses.millis(c.getIdleTimeout());
      }
    }
    if (p.hasHttpProtocolOptions()) {
      Http1ProtocolOptions h1 = p.getHttpProtocolOptions();
      Fields.allowOnly(h1, at.field("http_protocol_options"), Set.of());
    }
    boolean allowConnect = p.getHttp2ProtocolOptions().getAllowConnect();
    HcmConfig.Http2Limits h2 = allowConnect ? HcmConfig.Http2Limits.CONNECT_DEFAULT : HcmConfig.Http2Limits.DEFAULT;
    Http2Keepalive keepalive = Http2Keepalive.OFF;
    if (p.hasHttp2ProtocolOptions()) {
      Http2ProtocolOptions o = p.getHttp2ProtocolOptions();
      ConfigPath h2at = at.field("http2_protocol_options");
      Set<String> h2Fields = new java.util.HashSet<>(Http2FloodLimits.FIELDS);
      h2Fields.addAll(Set.of("max_concurrent_streams",
          "initial_stream_window_size", "initial_connection_window_size", "allow_connect", "connection_keepalive"));
      Fields.allowOnly(o, h2at, h2Fields);
      h2 = new HcmConfig.Http2Limits(
          o.hasMaxConcurrentStreams() ? o.getMaxConcurrentStreams().getValue() : h2.maxConcurrentStreams(),
          o.hasInitialStreamWindowSize() ? o.getInitialStreamWindowSize().getValue() : h2.initialStreamWindow(),
          o.hasInitialConnectionWindowSize() ? o.getInitialConnectionWindowSize().getValue() : h2.initialConnectionWindow(),
          Http2FloodLimits.compile(o, h2at));
      if (o.hasConnectionKeepalive()) {
        keepalive = keepalive(o.getConnectionKeepalive(), h2at.field("connection_keepalive"));
      }
    }
    int headersKb = p.hasMaxRequestHeadersKb() ? p.getMaxRequestHeadersKb().getValue() : DEFAULT_MAX_HEADERS_KB;
    if (headersKb > MAX_HEADERS_KB_CAP) {
      at.field("max_request_headers_kb").error(headersKb + " KiB is above Egret's cap of " + MAX_HEADERS_KB_CAP + " KiB");
    }
    long headersTimeout = p.hasRequestHeadersTimeout() ? Addresses.millis(p.getRequestHeadersTimeout())
        : DEFAULT_REQUEST_HEADERS_TIMEOUT_MS;
    List<AccessLog> logs = AccessLogs.compile(p.getAccessLogList(), at.field("access_log"), accessLogWriter);
    if (at.errorCount() > errorsBefore || router == null) {
      return null;
    }
    List<Consumer<StreamInfo>> sinks = new ArrayList<>();
    for (AccessLog l : logs) {
      sinks.add(l::log);
    }
    if (recentEntries != RecentAccessLog.DISABLED) {
      sinks.add(recentEntries::log);
    }
    return new HcmConfig(p.getStatPrefix(), stats.http(p.getStatPrefix()), filters, router, codec,
        p.getServerName().isEmpty() ? "envoy" : p.getServerName(), sinks,
        p.hasUseRemoteAddress() && p.getUseRemoteAddress().getValue(), p.getXffNumTrustedHops(),
        p.hasNormalizePath() && p.getNormalizePath().getValue(), p.getMergeSlashes(),
        !p.hasGenerateRequestId() || p.getGenerateRequestId().getValue(), p.getPreserveExternalRequestId(),
        headersKb * 1024, maxHeadersCount, headersTimeout, idleMs, h2,
        p.hasStreamIdleTimeout() ? Addresses.millis(p.getStreamIdleTimeout()) : DEFAULT_STREAM_IDLE_TIMEOUT_MS,
        p.hasRequestTimeout() ? Addresses.millis(p.getRequestTimeout()) : 0, maxStreamMs,
        connectUpgrade, allowConnect, keepalive, extras);
  }

  /** {@code forward_client_cert_details} and {@code set_current_client_cert_details}. */
  private static ForwardClientCert forwardClientCert(HttpConnectionManager p, ConfigPath at) {
    ForwardClientCert.Mode mode = switch (p.getForwardClientCertDetails()) {
      case SANITIZE -> ForwardClientCert.Mode.SANITIZE;
      case FORWARD_ONLY -> ForwardClientCert.Mode.FORWARD_ONLY;
      case APPEND_FORWARD -> ForwardClientCert.Mode.APPEND_FORWARD;
      case SANITIZE_SET -> ForwardClientCert.Mode.SANITIZE_SET;
      case ALWAYS_FORWARD_ONLY -> ForwardClientCert.Mode.ALWAYS_FORWARD_ONLY;
      default -> {
        at.field("forward_client_cert_details").error("unknown forward_client_cert_details "
            + p.getForwardClientCertDetailsValue());
        yield ForwardClientCert.Mode.SANITIZE;
      }
    };
    HttpConnectionManager.SetCurrentClientCertDetails d = p.getSetCurrentClientCertDetails();
    Fields.allowOnly(d, at.field("set_current_client_cert_details"),
        Set.of("subject", "cert", "chain", "dns", "uri"));
    return new ForwardClientCert(mode, d.hasSubject() && d.getSubject().getValue(), d.getCert(), d.getChain(),
        d.getDns(), d.getUri());
  }

  private static EscapedSlashesAction escapedSlashes(HttpConnectionManager p, ConfigPath at) {
    return switch (p.getPathWithEscapedSlashesAction()) {
      case IMPLEMENTATION_SPECIFIC_DEFAULT, KEEP_UNCHANGED -> EscapedSlashesAction.KEEP_UNCHANGED;
      case REJECT_REQUEST -> EscapedSlashesAction.REJECT_REQUEST;
      case UNESCAPE_AND_REDIRECT -> EscapedSlashesAction.UNESCAPE_AND_REDIRECT;
      case UNESCAPE_AND_FORWARD -> EscapedSlashesAction.UNESCAPE_AND_FORWARD;
      default -> {
        at.error("unknown path_with_escaped_slashes_action " + p.getPathWithEscapedSlashesActionValue());
        yield EscapedSlashesAction.KEEP_UNCHANGED;
      }
    };
  }

  /**
   * {@code tracing}: accepted and ignored — Egret does not trace (no spans are made or sent). What
   * istiod sends (sampling percentages, {@code custom_tags}, {@code verbose}, {@code
   * max_path_tag_length}, {@code spawn_upstream_span}) is therefore a no-op; a tracing {@code provider}
   * would promise spans that never leave, so it is rejected.
   */
  private static void tracing(HttpConnectionManager.Tracing t, ConfigPath at) {
    Fields.allowOnly(t, at, Set.of("client_sampling", "random_sampling", "overall_sampling", "verbose",
        "max_path_tag_length", "custom_tags", "spawn_upstream_span"));
  }

  /**
   * {@code request_id_extension}: only the UUID extension, which is what Egret does anyway
   * ({@code x-request-id} as a random UUID, see {@link RequestIds}); {@code pack_trace_reason} and
   * {@code use_request_id_for_trace_sampling} only matter to tracing, which Egret does not do.
   */
  private static void requestIdExtension(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager
      .v3.RequestIDExtension r, ConfigPath at) {
    Fields.allowOnly(r, at, Set.of("typed_config"));
    String type = r.getTypedConfig().getTypeUrl();
    if (!type.equals(UUID_REQUEST_ID_TYPE)) {
      at.field("typed_config").error("request id extension " + type + " is not supported by Egret (only "
          + UUID_REQUEST_ID_TYPE + ")");
      return;
    }
    try {
      Fields.allowOnly(r.getTypedConfig().unpack(
          io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig.class), at.field("typed_config"),
          Set.of("pack_trace_reason", "use_request_id_for_trace_sampling"));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      at.field("typed_config").error("cannot decode: " + e.getMessage());
    }
  }

  /**
   * {@code upgrade_configs}: only {@code CONNECT} is supported (custom upgrade filter chains are
   * not); returns whether it is enabled.
   */
  private static boolean connectUpgrade(HttpConnectionManager p, ConfigPath at) {
    boolean enabled = false;
    for (int i = 0; i < p.getUpgradeConfigsCount(); i++) {
      HttpConnectionManager.UpgradeConfig u = p.getUpgradeConfigs(i);
      ConfigPath ua = at.index(i);
      Fields.allowOnly(u, ua, Set.of("upgrade_type", "enabled"));
      if (u.getUpgradeType().equalsIgnoreCase("websocket")) {
        // istiod lists it on every HTTP chain. Egret does not switch protocols yet: Upgrade is a
        // hop-by-hop header, removed, and the request goes upstream as plain HTTP (README, "Not yet").
        continue;
      }
      if (!u.getUpgradeType().equalsIgnoreCase("CONNECT")) {
        ua.field("upgrade_type").error("upgrade_type '" + u.getUpgradeType()
            + "' is not supported by Egret (CONNECT; websocket is accepted without protocol switching)");
        continue;
      }
      enabled = !u.hasEnabled() || u.getEnabled().getValue();
    }
    return enabled;
  }

  /** {@code connection_keepalive}: {@code interval}, {@code timeout} and {@code interval_jitter}. */
  private static Http2Keepalive keepalive(io.envoyproxy.envoy.config.core.v3.KeepaliveSettings k, ConfigPath at) {
    Fields.allowOnly(k, at, Set.of("interval", "timeout", "interval_jitter"));
    if (!k.hasTimeout() || Addresses.millis(k.getTimeout()) <= 0) {
      at.field("timeout").error("timeout is required and must be at least 1 ms");
      return Http2Keepalive.OFF;
    }
    double jitter = k.hasIntervalJitter() ? k.getIntervalJitter().getValue() : 15.0;
    if (jitter < 0 || jitter > 100) {
      at.field("interval_jitter").error("interval_jitter must be within [0, 100]");
      return Http2Keepalive.OFF;
    }
    long interval = k.hasInterval() ? Addresses.millis(k.getInterval()) : 0; // unset or 0: no interval PINGs
    return new Http2Keepalive(interval, Addresses.millis(k.getTimeout()), jitter);
  }

  /** Compiles the filters before the router through their providers; checks the router ends the list. */
  private List<HttpFilterFactory> filters(List<HttpFilter> filters, ConfigPath at, FilterContext context) {
    List<HttpFilterFactory> out = new ArrayList<>();
    if (filters.isEmpty()) {
      at.error("http_filters must end with envoy.filters.http.router");
      return out;
    }
    for (int i = 0; i < filters.size(); i++) {
      HttpFilter f = filters.get(i);
      ConfigPath fa = at.index(i);
      Fields.allowOnly(f, fa, Set.of("name", "typed_config", "is_optional", "disabled"));
      String type = f.getTypedConfig().getTypeUrl();
      boolean isRouter = type.equals(ROUTER_TYPE) || (type.isEmpty() && f.getName().equals("envoy.filters.http.router"));
      if (!isRouter) {
        HttpFilterProvider provider = type.isEmpty() ? null : filterRegistry.provider(type);
        if (provider == null) {
          if (!f.getIsOptional()) {
            fa.error("HTTP filter '" + f.getName() + "' (" + (type.isEmpty() ? "no typed_config" : type)
                + ") is not supported by Egret");
          }
          continue; // an optional filter Egret does not know is skipped, as Envoy skips it
        }
        HttpFilterFactory factory = provider.compile(f.getTypedConfig(), fa.field("typed_config"),
            context.named(f.getName()));
        if (factory != null) {
          out.add(f.getDisabled() ? new dev.egret.core.http.filter.DisabledByDefault(f.getName(), factory) : factory);
        }
        if (i == filters.size() - 1) {
          fa.error("http_filters must end with envoy.filters.http.router");
        }
        continue;
      }
      if (i != filters.size() - 1) {
        fa.error("envoy.filters.http.router must be the last HTTP filter");
      }
      if (f.getDisabled()) {
        fa.field("disabled").error("the router filter cannot be disabled");
      }
      if (!type.isEmpty()) {
        try {
          io.envoyproxy.envoy.extensions.filters.http.router.v3.Router r = f.getTypedConfig()
              .unpack(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.class);
          Fields.allowOnly(r, fa.field("typed_config"), Set.of());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          fa.field("typed_config").error("cannot decode: " + e.getMessage());
        }
      }
    }
    return out;
  }
}
