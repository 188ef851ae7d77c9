package dev.egret.core.tcp;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLog;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.network.TerminalFilter;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.TcpStats;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;

/**
 * A compiled {@code envoy.filters.network.tcp_proxy}: immutable, shared by every connection of its
 * chain. As a {@link TerminalFilter} it starts one {@link TcpProxySession} per connection.
 *
 * @param statPrefix          {@code stat_prefix}
 * @param stats               {@code tcp.<stat_prefix>.*}
 * @param clusters            which cluster a connection goes to
 * @param clusterRuntimes     every cluster by name (an unknown one is {@code NC} at run time)
 * @param idleTimeoutMillis   {@code idle_timeout}: no bytes either way for this long closes both
 *                            sides (default 1 h; 0 = never)
 * @param maxDurationMillis   {@code max_downstream_connection_duration} (0 = unlimited)
 * @param accessLogs          {@code access_log}, fed the connection-level stream info
 * @param flushIntervalMillis {@code access_log_options.access_log_flush_interval} (0 = only at close)
 * @param flushOnConnected    {@code access_log_options.flush_access_log_on_connected}
 * @param maxConnectAttempts  {@code max_connect_attempts} (default 1)
 * @param connector           how the upstream is reached
 */
public record TcpProxyConfig(
    String statPrefix,
    TcpStats stats,
    ClusterChoice clusters,
    Map<String, ClusterRuntime> clusterRuntimes,
    long idleTimeoutMillis,
    long maxDurationMillis,
    List<AccessLog> accessLogs,
    long flushIntervalMillis,
    boolean flushOnConnected,
    int maxConnectAttempts,
    TcpUpstreamConnector connector) implements TerminalFilter {

  public TcpProxyConfig {
    requireNonNull(statPrefix, "statPrefix");
    requireNonNull(stats, "stats");
    requireNonNull(clusters, "clusters");
    requireNonNull(clusterRuntimes, "clusterRuntimes");
    accessLogs = List.copyOf(accessLogs);
    requireNonNull(connector, "connector");
  }

  @Override
  public void start(Channel ch, ConnectionInfo connection, StreamInfo info) {
    new TcpProxySession(this, ch, connection, info).start();
  }

  @Override
  public void closedBeforeStart(ConnectionInfo connection, StreamInfo info) {
    log(info);
  }

  /** Hands a (final or snapshot) entry to every access log. */
  void log(StreamInfo info) {
    for (AccessLog l : accessLogs) {
      l.log(info);
    }
  }
}
