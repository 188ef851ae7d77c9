package dev.egret.core.tcp;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLogFormat;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.internal.InternalChannel;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.ClusterStats;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeBridge;
import dev.egret.core.tunnel.PipeOpener;
import dev.egret.core.tunnel.TunnelProvider;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tcp_proxy} with {@code tunneling_config}: each downstream connection becomes one HTTP/2
 * CONNECT stream (HBONE, when the cluster originates mutual TLS) to the chosen host, whose
 * {@code :authority} is the {@code hostname} format evaluated for the connection (Istio:
 * {@code %DOWNSTREAM_LOCAL_ADDRESS%}, the pod's address restored by {@code original_dst}) and which
 * carries {@code headers_to_add}. A CONNECT the peer refuses (a status other than 200, a reset, a
 * failed handshake) is a connect failure: flag {@code UF}, retried under {@code max_connect_attempts}.
 * Tunnels per cluster are made on first use and shared by this {@code tcp_proxy}'s connections.
 */
final class TunnelingConnector implements TcpUpstreamConnector {
  /** One compiled {@code headers_to_add} entry. */
  record Header(String name, AccessLogFormat value) {}

  private final AccessLogFormat hostname;
  private final List<Header> headers;
  private final TunnelProvider provider;
  private final Map<ClusterRuntime, TunnelProvider.Tunnels> tunnels = new ConcurrentHashMap<>();

  TunnelingConnector(AccessLogFormat hostname, List<Header> headers, TunnelProvider provider) {
    this.hostname = requireNonNull(hostname, "hostname");
    this.headers = List.copyOf(headers);
    this.provider = requireNonNull(provider, "provider");
  }

  /** Checks now that {@code cluster} can carry tunnels (reported at {@code at}), keeping them for later. */
  void prepare(ClusterRuntime cluster, ConfigPath at) {
    TunnelProvider.Tunnels t = provider.tunnels(cluster, at);
    if (t != null) {
      tunnels.put(cluster, t);
    }
  }

  @Override
  public void connect(ConnectRequest req, Callback callback) {
    ClusterRuntime cluster = req.cluster();
    ClusterStats stats = cluster.stats();
    if (!cluster.breakers().canOpenConnection()) {
      stats.upstreamCxOverflow.inc();
      callback.onFailure(ResponseFlag.UPSTREAM_OVERFLOW, null);
      return;
    }
    // a cluster that arrived after compile (CDS) is prepared on first use; null when it cannot tunnel
    TunnelProvider.Tunnels t = tunnels.computeIfAbsent(cluster,
        c -> provider.tunnels(c, ConfigPath.root("clusters").resource(c.name())));
    if (t == null) {
      stats.upstreamCxConnectFail.inc();
      callback.onFailure(ResponseFlag.UPSTREAM_CONNECTION_FAILURE, "cluster " + cluster.name() + " cannot carry tunnels");
      return;
    }
    String authority = hostname.format(req.info());
    List<Map.Entry<String, String>> extra = new ArrayList<>(headers.size());
    for (Header h : headers) {
      extra.add(Map.entry(h.name(), h.value().format(req.info())));
    }
    InetSocketAddress peer = req.host().address();
    cluster.breakers().connectionOpened();
    stats.upstreamCxTotal.inc();
    PipeBridge bridge = PipeBridge.create();
    t.opener(peer, authority, extra).open(req.loop(), bridge, new PipeOpener.Callback() {
      @Override
      public void onOpen(BytePipe pipe) {
        Channel outer = bridge.attach(req.loop(), pipe, "tunnel");
        stats.upstreamCxActive.inc();
        req.host().connectionOpened();
        outer.closeFuture().addListener(f -> {
          stats.upstreamCxActive.dec();
          stats.upstreamCxDestroy.inc();
          req.host().connectionClosed();
          cluster.breakers().connectionClosed();
        });
        InetSocketAddress local = pipe.localAddress();
        callback.onConnected(new TcpUpstream() {
          @Override
          public Channel channel() {
            return outer;
          }

          @Override
          public void shutdownOutput() {
            ((InternalChannel) outer).shutdownOutput();
          }

          @Override
          public String localAddress() {
            return local == null ? null : local.getAddress().getHostAddress() + ":" + local.getPort();
          }
        });
      }

      @Override
      public void onFailure(ResetReason reason, String transportFailureReason) {
        cluster.breakers().connectionClosed();
        stats.upstreamCxConnectFail.inc();
        if (reason == ResetReason.CONNECTION_TIMEOUT) {
          stats.upstreamCxConnectTimeout.inc();
        }
        callback.onFailure(ResponseFlag.UPSTREAM_CONNECTION_FAILURE, transportFailureReason);
      }
    });
  }
}
