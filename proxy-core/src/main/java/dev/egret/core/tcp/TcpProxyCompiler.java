package dev.egret.core.tcp;

import dev.egret.core.tunnel.TunnelProvider;
import dev.egret.core.accesslog.AccessLogFormat;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLog;
import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.accesslog.AccessLogs;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.config.Addresses;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles {@code envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy} into a
 * {@link TcpProxyConfig}. Supported: {@code stat_prefix} (required), {@code cluster} or
 * {@code weighted_clusters}, {@code idle_timeout} (Envoy's default 1 h; 0 disables),
 * {@code max_downstream_connection_duration}, {@code max_connect_attempts}, {@code access_log},
 * {@code access_log_options} ({@code access_log_flush_interval}, {@code flush_access_log_on_connected})
 * and their deprecated top-level forms, and {@code tunneling_config} (HTTP/2 CONNECT tunnels, see
 * {@link TunnelingConnector}). Every other field is rejected with its field path. A cluster name that no cluster has is not a configuration error (clusters
 * may come later over CDS): such connections are closed with {@code NC}, as in Envoy.
 */
public final class TcpProxyCompiler {
  static final long DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;

  private final Stats stats;
  private final Map<String, ClusterRuntime> clusters;
  private final AccessLogWriter writer;
  private final AccessLog recentEntries;
  private final TcpUpstreamConnector connector;

  /**
   * @param clusters      every cluster by name; read when a connection starts (may be filled later)
   * @param recentEntries fed every finished connection after the configured logs (admin's ring)
   * @param connector     how upstreams are reached ({@link DirectTcpConnector#INSTANCE})
   */
  public TcpProxyCompiler(Stats stats, Map<String, ClusterRuntime> clusters, AccessLogWriter writer,
      AccessLog recentEntries, TcpUpstreamConnector connector) {
    this.stats = requireNonNull(stats, "stats");
    this.clusters = requireNonNull(clusters, "clusters");
    this.writer = requireNonNull(writer, "writer");
    this.recentEntries = requireNonNull(recentEntries, "recentEntries");
    this.connector = requireNonNull(connector, "connector");
  }

  /** Returns null after recording errors in {@code at}. */
  public TcpProxyConfig compile(TcpProxy p, ConfigPath at) {
    int errorsBefore = at.errorCount();
    TunnelingConnector tunneling = p.hasTunnelingConfig()
        ? tunneling(p.getTunnelingConfig(), at.field("tunneling_config")) : null;
    Set<String> supported = Set.of("stat_prefix", "cluster", "weighted_clusters", "idle_timeout",
        "max_downstream_connection_duration", "max_connect_attempts", "access_log", "access_log_options",
        "access_log_flush_interval", "flush_access_log_on_connected");
    TcpProxy rest = p.hasTunnelingConfig() ? p.toBuilder().clearTunnelingConfig().build() : p;
    Fields.allowOnly(rest, at, supported);
    if (p.getStatPrefix().isEmpty()) {
      at.field("stat_prefix").error("stat_prefix is required");
    }
    ClusterChoice choice = clusters(p, at);
    long idle = p.hasIdleTimeout() ? Addresses.millis(p.getIdleTimeout()) : DEFAULT_IDLE_TIMEOUT_MS;
    long maxDuration = 0;
    if (p.hasMaxDownstreamConnectionDuration()) {
      maxDuration = Addresses.millis(p.getMaxDownstreamConnectionDuration());
    }
    int attempts = 1;
    if (p.hasMaxConnectAttempts()) {
      attempts = p.getMaxConnectAttempts().getValue();
      if (attempts < 1) {
        at.field("max_connect_attempts").error("max_connect_attempts must be at least 1");
      }
    }
    long flushMs = 0;
    boolean onConnected = p.getFlushAccessLogOnConnected();
    if (p.hasAccessLogFlushInterval()) {
      flushMs = flushInterval(p.getAccessLogFlushInterval(), at.field("access_log_flush_interval"));
    }
    if (p.hasAccessLogOptions()) {
      TcpProxy.TcpAccessLogOptions o = p.getAccessLogOptions();
      ConfigPath oa = at.field("access_log_options");
      Fields.allowOnly(o, oa, Set.of("access_log_flush_interval", "flush_access_log_on_connected"));
      if (o.hasAccessLogFlushInterval()) {
        flushMs = flushInterval(o.getAccessLogFlushInterval(), oa.field("access_log_flush_interval"));
      }
      onConnected |= o.getFlushAccessLogOnConnected();
    }
    List<AccessLog> logs = new ArrayList<>(AccessLogs.compile(p.getAccessLogList(), at.field("access_log"), writer));
    if (at.errorCount() > errorsBefore || choice == null) {
      return null;
    }
    if (tunneling != null) {
      for (String name : choice.names()) {
        ClusterRuntime c = clusters.get(name);
        if (c != null) { // a known cluster is checked now; one from CDS later, at its first connection
          tunneling.prepare(c, at.field("tunneling_config"));
        }
      }
      if (at.errorCount() > errorsBefore) {
        return null;
      }
    }
    if (recentEntries != RecentAccessLog.DISABLED) {
      logs.add(recentEntries);
    }
    return new TcpProxyConfig(p.getStatPrefix(), stats.tcp(p.getStatPrefix()), choice, clusters, idle,
        maxDuration, logs, flushMs, onConnected, attempts, tunneling != null ? tunneling : connector);
  }

  /**
   * {@code tunneling_config}: {@code hostname} (a format string, required) and {@code headers_to_add}
   * (values are format strings). POST tunnels and response-header propagation are refused by path.
   */
  private static TunnelingConnector tunneling(TcpProxy.TunnelingConfig t, ConfigPath at) {
    int before = at.errorCount();
    Fields.allowOnly(t, at, Set.of("hostname", "headers_to_add", "use_post", "propagate_response_headers",
        "propagate_response_trailers"));
    if (t.getUsePost()) {
      at.field("use_post").error("POST tunnels are not supported by Egret (CONNECT only)");
    }
    if (t.getPropagateResponseHeaders() || t.getPropagateResponseTrailers()) {
      at.error("propagate_response_headers / propagate_response_trailers are not supported by Egret");
    }
    if (t.getHostname().isEmpty()) {
      at.field("hostname").error("hostname is required");
    }
    AccessLogFormat hostname = AccessLogFormat.compileText(t.getHostname(), true, List.of(), at.field("hostname"));
    List<TunnelingConnector.Header> headers = new ArrayList<>();
    for (int i = 0; i < t.getHeadersToAddCount(); i++) {
      var h = t.getHeadersToAdd(i);
      ConfigPath ha = at.field("headers_to_add").index(i);
      Fields.allowOnly(h, ha, Set.of("header"));
      Fields.allowOnly(h.getHeader(), ha.field("header"), Set.of("key", "value"));
      String name = h.getHeader().getKey().toLowerCase(java.util.Locale.ROOT);
      if (name.isEmpty() || name.startsWith(":")) {
        ha.field("header").field("key").error("'" + h.getHeader().getKey() + "' cannot be added to a CONNECT request");
        continue;
      }
      AccessLogFormat v = AccessLogFormat.compileText(h.getHeader().getValue(), true, List.of(),
          ha.field("header").field("value"));
      if (v != null) {
        headers.add(new TunnelingConnector.Header(name, v));
      }
    }
    TunnelProvider provider = TunnelProvider.load();
    if (provider == null) {
      at.error("tunneling_config needs a tunnel provider on the class path (Egret's hbone module)");
    }
    if (at.errorCount() > before || hostname == null) {
      return null;
    }
    return new TunnelingConnector(hostname, headers, provider);
  }

  private static long flushInterval(com.google.protobuf.Duration d, ConfigPath at) {
    long ms = Addresses.millis(d);
    if (ms < 1) {
      at.error("access_log_flush_interval must be at least 1ms");
    }
    return ms;
  }

  private static ClusterChoice clusters(TcpProxy p, ConfigPath at) {
    switch (p.getClusterSpecifierCase()) {
      case CLUSTER -> {
        if (p.getCluster().isEmpty()) {
          at.field("cluster").error("cluster must not be empty");
          return null;
        }
        return ClusterChoice.single(p.getCluster());
      }
      case WEIGHTED_CLUSTERS -> {
        ConfigPath wa = at.field("weighted_clusters");
        Fields.allowOnly(p.getWeightedClusters(), wa, Set.of("clusters"));
        List<String> names = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        List<ClusterWeight> list = p.getWeightedClusters().getClustersList();
        if (list.isEmpty()) {
          wa.field("clusters").error("weighted_clusters needs at least one cluster");
        }
        for (int i = 0; i < list.size(); i++) {
          ClusterWeight w = list.get(i);
          ConfigPath ca = wa.field("clusters").index(i);
          Fields.allowOnly(w, ca, Set.of("name", "weight"));
          if (w.getName().isEmpty()) {
            ca.field("name").error("a weighted cluster needs a name");
          }
          if (w.getWeight() < 1) {
            ca.field("weight").error("weight must be at least 1");
          }
          names.add(w.getName());
          weights.add(w.getWeight());
        }
        return names.isEmpty() ? null : new ClusterChoice(names, weights);
      }
      default -> {
        at.error("tcp_proxy needs cluster or weighted_clusters");
        return null;
      }
    }
  }
}
