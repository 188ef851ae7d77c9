package dev.egret.core.router;


import dev.egret.core.config.ConfigPath;
import dev.egret.core.internal.InternalListeners;
import dev.egret.core.pool.ConnectionPool;
import dev.egret.core.pool.Connector;
import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import dev.egret.core.upstream.InternalUpstream;

import dev.egret.core.pool.PoolRegistry;
import dev.egret.core.pool.PoolSettings;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.pool.UpstreamProtocol;
import dev.egret.core.stats.ClusterStats;
import dev.egret.core.stats.Stats;
import dev.egret.core.tls.TransportFailure;
import dev.egret.core.tls.UpstreamTls;
import dev.egret.core.tunnel.PipeOpener;
import dev.egret.core.tunnel.TcpPipes;
import dev.egret.core.upstream.CircuitBreakers;
import dev.egret.core.upstream.DnsResolverFactory;
import dev.egret.core.upstream.Host;
import dev.egret.core.upstream.OutlierDetector;
import dev.egret.core.upstream.UpstreamCluster;
import dev.egret.core.upstream.UpstreamHttpProtocol;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A cluster as the router uses it: its hosts and load balancer ({@link UpstreamCluster}), its upstream
 * TLS, and the per-event-loop connection pools to its hosts. Pools are split by host and by SNI, as
 * Envoy splits them by transport-socket options.
 */
public final class ClusterRuntime {
  private static final PoolSettings.ConnectFailures FAILURES = new PoolSettings.ConnectFailures() {
    @Override
    public ResetReason resetReason(Throwable cause) {
      return switch (TransportFailure.resetReason(cause)) {
        case "connection timeout" -> ResetReason.CONNECTION_TIMEOUT;
        case "local connection failure" -> ResetReason.LOCAL_CONNECTION_FAILURE;
        default -> ResetReason.REMOTE_CONNECTION_FAILURE;
      };
    }

    @Override
    public String transportFailureReason(Throwable cause) {
      return TransportFailure.reason(cause);
    }
  };

  private final UpstreamCluster cluster;
  private final UpstreamTls tls; // nullable: plaintext
  private final UpstreamHttpProtocol http;
  private final UpstreamProtocol protocol;
  private final PoolRegistry pools;
  private final CircuitBreakers breakers;
  private final InternalListeners internalListeners;

  private ClusterRuntime(UpstreamCluster cluster, UpstreamTls tls, PoolRegistry pools, CircuitBreakers breakers,
      InternalListeners internalListeners) {
    this.cluster = cluster;
    this.internalListeners = internalListeners != null ? internalListeners : new InternalListeners();
    this.breakers = breakers;
    this.tls = tls;
    this.http = cluster.config().httpProtocol();
    this.protocol = switch (http.version()) {
      case HTTP1 -> UpstreamProtocol.HTTP1;
      case HTTP2 -> UpstreamProtocol.HTTP2;
      case AUTO -> UpstreamProtocol.AUTO;
    };
    this.pools = pools;
    // an ejected host's pools are drained on every loop (router.md §9.2); new pools are made on demand
    cluster.outlier().addListener(this::drainPools);
    // an EDS update that drops a host drains its pools; hosts that remain keep their connections
    cluster.addHostSetListener((now, added, removed) -> {
      for (Host h : removed) {
        if (!containsAddress(now.hosts(), h.address())) {
          drainPools(h);
        }
      }
    });
  }

  private static boolean containsAddress(List<Host> hosts, InetSocketAddress a) {
    for (Host h : hosts) {
      if (h.address().equals(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Drains every pool of this cluster on every loop (for a cluster removed or replaced by xDS): no new
   * stream goes to them, and each connection closes after its last stream. Returns at once.
   */
  public void drainAllPools() {
    pools.onEachLoop(m -> m.entrySet().removeIf(e -> {
      if (e.getKey() instanceof PoolKey k && k.cluster() == this) {
        e.getValue().drain();
        return true;
      }
      return false;
    }));
  }

  /** The cluster's hosts and balancer (for EDS assignment and warming). */
  public UpstreamCluster upstream() {
    return cluster;
  }

  private void drainPools(Host host) {
    Object target = host.poolTarget();
    pools.onEachLoop(m -> m.entrySet().removeIf(e -> {
      if (e.getKey() instanceof PoolKey k && k.cluster() == this && k.target().equals(target)) {
        e.getValue().drain();
        return true;
      }
      return false;
    }));
  }

  /** Compiles a cluster and its TLS; returns null after recording errors. */
  public static ClusterRuntime compile(Cluster proto, ConfigPath at, Stats stats, DnsResolverFactory dns,
      PoolRegistry pools) {
    return compile(proto, at, stats, dns, pools, null);
  }

  /**
   * As {@link #compile(Cluster, ConfigPath, Stats, DnsResolverFactory, PoolRegistry)}, with the
   * internal listeners that {@code envoy_internal_address} endpoints reach (null: none).
   */
  public static ClusterRuntime compile(Cluster proto, ConfigPath at, Stats stats, DnsResolverFactory dns,
      PoolRegistry pools, InternalListeners internalListeners) {
    UpstreamCluster c = UpstreamCluster.compile(proto, at, dns, stats);
    if (c == null) {
      return null;
    }
    UpstreamTls tls = null;
    UpstreamTlsContext ctx = c.config().tlsContext();
    if (ctx != null) {
      if (c.config().httpProtocol().version() == UpstreamHttpProtocol.Version.AUTO
          && ctx.getCommonTlsContext().getAlpnProtocolsCount() == 0) {
        // auto_config negotiates the protocol: offer both, h2 first, as Envoy does
        ctx = ctx.toBuilder().setCommonTlsContext(ctx.getCommonTlsContext().toBuilder()
            .addAlpnProtocols("h2").addAlpnProtocols("http/1.1")).build();
      }
      tls = UpstreamTls.compile(ctx, at.field("transport_socket").field("typed_config"));
      if (tls == null) {
        return null;
      }
    }
    CircuitBreakers breakers = new CircuitBreakers(c.config().circuitBreakers());
    return new ClusterRuntime(c, tls, pools, breakers, internalListeners);
  }

  public String name() {
    return cluster.name();
  }

  /** The cluster's upstream TLS (its {@code UpstreamTlsContext}, compiled), or null for plaintext. */
  public UpstreamTls upstreamTls() {
    return tls;
  }

  public String altStatName() {
    return cluster.altStatName();
  }

  public ClusterStats stats() {
    return cluster.stats();
  }

  /** Whether the cluster's transport socket is TLS (an {@code UpstreamTlsContext}). */
  public boolean usesTls() {
    return tls != null;
  }

  public CircuitBreakers breakers() {
    return breakers;
  }

  public List<Host> hosts() {
    return cluster.hosts().hosts();
  }

  /** The cluster's outlier detector, to which the router reports each attempt's outcome. */
  public OutlierDetector outlier() {
    return cluster.outlier();
  }

  /** The load balancer's pick, or null when the cluster has no host. */
  public Host chooseHost() {
    return cluster.chooseHost();
  }

  /**
   * Whether picks need the request or connection ({@link #chooseHost(dev.egret.core.upstream.LbContext)}):
   * only an ORIGINAL_DST cluster's do, so callers build that context for it alone.
   */
  public boolean picksByDestination() {
    return cluster.config().originalDst() != null;
  }

  /** The pick for one request or connection (an ORIGINAL_DST cluster needs its destination). */
  public Host chooseHost(dev.egret.core.upstream.LbContext ctx) {
    return cluster.chooseHost(ctx);
  }

  public void start(EventLoop dnsLoop) {
    cluster.start(dnsLoop);
  }

  public void close() {
    cluster.close();
  }

  /**
   * The pool for {@code host} on {@code loop}, for a request whose (rewritten) authority is
   * {@code authority}: with {@code auto_sni} the SNI, and with {@code auto_san_validation} the
   * required SAN, come from it (never from an IP literal). Call on {@code loop}.
   */
  public ConnectionPool pool(EventLoop loop, Host host, String authority) {
    String sni = null;
    String autoSan = null;
    if (tls != null && http.autoSni() && authority != null) {
      String h = hostOf(authority);
      if (!h.isEmpty() && !NetUtil.isValidIpV4Address(h) && !NetUtil.isValidIpV6Address(h)) {
        sni = h;
        if (http.autoSanValidation()) {
          autoSan = h;
        }
      }
    }
    PoolKey key = new PoolKey(this, host.poolTarget(), sni);
    Map<Object, ConnectionPool> m = pools.forLoop(loop);
    ConnectionPool p = m.get(key);
    if (p == null) {
      p = new ConnectionPool(loop, host.address(), settings(host, sni, autoSan), connector(host, null));
      m.put(key, p);
    }
    return p;
  }

  /**
   * What opens a connection to {@code host}: a TCP connect, or an in-process connection to the
   * internal listener the host names, carrying {@code filterState} (nullable: the values a stream
   * shares with its upstream) and the host or cluster metadata the {@code internal_upstream}
   * transport socket passes through. A pooled HTTP connection passes no filter state, since it
   * outlives the stream that opened it; per-stream connections (CONNECT, tcp_proxy) pass theirs.
   */
  public Connector connector(Host host, FilterState filterState) {
    if (host.internal() == null) {
      return Connector.tcp(host.address());
    }
    InternalUpstream iu = cluster.config().internalUpstream();
    DynamicMetadata md = iu == null ? null
        : iu.metadataFor(host, cluster.config().source().getMetadata().getFilterMetadataMap());
    return internalListeners.connector(host.internal(), filterState, md);
  }

  /**
   * Opens raw byte pipes to {@code host} (CONNECT termination; {@code tcp_proxy} may use it too):
   * over {@link #connector} (TCP, or an internal listener that receives {@code filterState}), wrapped
   * in the cluster's TLS when it has one, with the cluster's connect timeout.
   */
  public PipeOpener pipeOpener(Host host, FilterState filterState) {
    InetSocketAddress a = host.address();
    String peerHost = a.getAddress().getHostAddress();
    return TcpPipes.opener(connector(host, filterState),
        tls == null ? null : alloc -> tls.newHandler(alloc, null, peerHost, a.getPort(), null),
        cluster.config().connectTimeout().toMillis());
  }

  private PoolSettings settings(Host host, String sni, String autoSan) {
    InetSocketAddress a = host.address();
    String peerHost = a.getAddress().getHostAddress();
    return new PoolSettings(protocol,
        tls == null ? null : alloc -> tls.newHandler(alloc, sni, peerHost, a.getPort(), autoSan),
        cluster.config().connectTimeout().toMillis(),
        http.idleTimeout().toMillis(),
        cluster.stats(),
        FAILURES,
        new PoolSettings.ConnectionObserver() {
          @Override
          public void opened() {
            host.connectionOpened();
          }

          @Override
          public void closed() {
            host.connectionClosed();
          }
        },
        breakers);
  }

  /** The cluster's compiled settings (connect timeout, buffer limit, …). */
  public dev.egret.core.upstream.ClusterConfig config() {
    return cluster.config();
  }

  /**
   * A TLS handler for a raw (L4, {@code tcp_proxy}) connection to {@code host}, with the cluster's
   * configured SNI and verification; null when the cluster is plaintext.
   */
  public io.netty.handler.ssl.SslHandler newTlsHandler(io.netty.buffer.ByteBufAllocator alloc, Host host) {
    if (tls == null) {
      return null;
    }
    InetSocketAddress a = host.address();
    return tls.newHandler(alloc, null, a.getAddress().getHostAddress(), a.getPort(), null);
  }

  /** The host part of an authority: {@code [::1]:80} → {@code ::1}, {@code a.com:443} → {@code a.com}. */
  static String hostOf(String authority) {
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(1, end);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 || authority.indexOf(':') != colon ? authority : authority.substring(0, colon);
  }

  private record PoolKey(ClusterRuntime cluster, Object target, String sni) {}
}
