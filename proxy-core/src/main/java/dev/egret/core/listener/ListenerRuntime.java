package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.Transports;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.HttpPipelines;
import dev.egret.core.tls.DownstreamTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/**
 * A bound listener: accepts connections, runs its listener filters (which may peek at the TLS
 * ClientHello or the first HTTP bytes, or read a PROXY header), picks each one's filter chain from
 * what they learned, and installs that chain's transport socket and HTTP connection manager on the
 * connection's event loop.
 */
public final class ListenerRuntime {
  private final ListenerConfig config;
  private final Channel serverChannel;

  private ListenerRuntime(ListenerConfig config, Channel serverChannel) {
    this.config = config;
    this.serverChannel = serverChannel;
  }

  /** Binds the listener; blocks until bound (or throws why it could not be). */
  public static ListenerRuntime bind(ListenerConfig config, EventLoopGroup boss, EventLoopGroup workers)
      throws InterruptedException {
    requireNonNull(config);
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(Transports.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(Math.max(1, config.bufferLimitBytes() / 2), Math.max(2, config.bufferLimitBytes())))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            accept(config, ch);
          }
        });
    Channel server = b.bind(config.address()).sync().channel();
    return new ListenerRuntime(config, server);
  }

  private static void accept(ListenerConfig config, Channel ch) {
    accept(config, ch, ConnectionFacts.accepted((InetSocketAddress) ch.localAddress(),
        (InetSocketAddress) ch.remoteAddress()));
  }

  /**
   * Runs a new connection through the listener: its listener filters, then filter-chain selection,
   * then the chosen chain's transport socket and connection manager. {@code facts} carries the
   * connection's addresses and its initial filter state (an internal listener passes the state the
   * creating stream shared, so that {@code original_dst} can restore addresses from it).
   */
  public static void accept(ListenerConfig config, Channel ch, ConnectionFacts facts) {
    config.stats().downstreamCxTotal.inc();
    config.stats().downstreamCxActive.inc();
    ch.closeFuture().addListener(f -> config.stats().downstreamCxActive.dec());
    ListenerFilterHandler.start(ch, config.listenerFilters(), facts,
        (c, f) -> install(config, c, config.chains().select(f), f),
        config.stats().downstreamPreCxTimeout::inc);
  }

  private static void install(ListenerConfig config, Channel ch, FilterChain chain, ConnectionFacts facts) {
    if (chain == null) {
      config.stats().noFilterChainMatch.inc();
      ch.close();
      return;
    }
    if (chain.tls() != null) {
      ch.pipeline().addLast("egret-tls", chain.tls().apply(ch.alloc()));
    }
    HttpPipelines.install(ch, chain.hcm(), (c, ssl) -> connectionInfo(facts, ssl));
  }

  private static ConnectionInfo connectionInfo(ConnectionFacts f, SslHandler ssl) {
    if (ssl == null) {
      return new ConnectionInfo(f.local(), f.remote(), false, null, null, null, f.filterState(),
          f.dynamicMetadata(), f.directRemote());
    }
    SSLSession session = ssl.engine().getSession();
    String sni = f.serverName() != null ? f.serverName() : requestedServerName(session);
    return new ConnectionInfo(f.local(), f.remote(), true, sni, DownstreamTls.peerUriSan(session),
        DownstreamTls.localUriSan(session), f.filterState(), f.dynamicMetadata(), f.directRemote());
  }

  private static String requestedServerName(SSLSession session) {
    if (session instanceof javax.net.ssl.ExtendedSSLSession e) {
      for (javax.net.ssl.SNIServerName n : e.getRequestedServerNames()) {
        if (n instanceof javax.net.ssl.SNIHostName h) {
          return h.getAsciiName();
        }
      }
    }
    return null;
  }

  public ListenerConfig config() {
    return config;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public void close() {
    serverChannel.close().syncUninterruptibly();
  }

}
