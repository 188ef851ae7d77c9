package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.Transports;
import dev.egret.core.http.ConnectionDrain;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.HttpPipelines;
import dev.egret.core.tls.DownstreamTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * A bound listener: accepts connections, picks each one's filter chain (peeking at the TLS
 * ClientHello when a chain matches on SNI, ALPN or transport) and installs that chain's transport
 * socket and HTTP connection manager on the connection's event loop.
 */
public final class ListenerRuntime {
  /** A configuration and the connections accepted under it. */
  private record Generation(ListenerConfig config, ChannelGroup connections) {}

  private volatile Generation current;
  private volatile Channel serverChannel;

  private ListenerRuntime(ListenerConfig config) {
    this.current = new Generation(config, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
  }

  /** Binds the listener; blocks until bound (or throws why it could not be). */
  public static ListenerRuntime bind(ListenerConfig config, EventLoopGroup boss, EventLoopGroup workers)
      throws InterruptedException {
    requireNonNull(config);
    ListenerRuntime rt = new ListenerRuntime(config);
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
            rt.accepted(ch);
          }
        });
    rt.serverChannel = b.bind(config.address()).sync().channel();
    return rt;
  }

  /** A new connection takes the configuration current at accept time, and keeps it. */
  private void accepted(Channel ch) {
    Generation g = current;
    g.connections().add(ch);
    accept(g.config(), ch);
    if (current != g) {
      ConnectionDrain.drain(ch); // swapped while accepting: this connection belongs to the old config
    }
  }

  /**
   * Serves new connections with {@code next} (same address: the socket is kept) and drains the
   * connections of the previous configuration (see {@link ConnectionDrain}); those still open after
   * {@code drainMillis} are closed.
   */
  public void update(ListenerConfig next, long drainMillis) {
    requireNonNull(next, "next");
    Generation old = current;
    current = new Generation(next, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
    drain(old.connections(), drainMillis);
  }

  /**
   * Stops accepting and drains every open connection; those still open after {@code drainMillis}
   * are closed. Returns once the listening socket is closed.
   */
  public void drainAndClose(long drainMillis) {
    serverChannel.close().syncUninterruptibly();
    drain(current.connections(), drainMillis);
  }

  private static void drain(ChannelGroup connections, long drainMillis) {
    for (Channel ch : connections) {
      ConnectionDrain.drain(ch);
      ch.eventLoop().schedule(() -> {
        ch.close();
      }, Math.max(0, drainMillis), TimeUnit.MILLISECONDS);
    }
  }

  private static void accept(ListenerConfig config, Channel ch) {
    config.stats().downstreamCxTotal.inc();
    config.stats().downstreamCxActive.inc();
    ch.closeFuture().addListener(f -> config.stats().downstreamCxActive.dec());
    int port = ((InetSocketAddress) ch.localAddress()).getPort();
    if (!config.chains().needsClientHello()) {
      FilterChain chain = config.chains().select(port, null, "raw_buffer", List.of());
      install(config, ch, chain, null);
      return;
    }
    ch.pipeline().addLast("egret-tls-inspector", new ClientHelloSniffer((ctx, facts) -> {
      FilterChain chain = config.chains().select(port, facts.hello().sni(),
          facts.tls() ? "tls" : "raw_buffer", facts.hello().alpn());
      install(config, ctx.channel(), chain, facts.hello().sni());
      ctx.pipeline().remove(ctx.handler());
    }));
    ch.config().setAutoRead(true);
  }

  private static void install(ListenerConfig config, Channel ch, FilterChain chain, String sni) {
    if (chain == null) {
      config.stats().noFilterChainMatch.inc();
      ch.close();
      return;
    }
    if (chain.tls() != null) {
      ch.pipeline().addLast("egret-tls", chain.tls().apply(ch.alloc()));
    }
    HttpPipelines.install(ch, chain.hcm(), (c, ssl) -> connectionInfo(c, ssl, sni));
  }

  private static ConnectionInfo connectionInfo(Channel ch, SslHandler ssl, String sniffedSni) {
    InetSocketAddress local = (InetSocketAddress) ch.localAddress();
    InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
    if (ssl == null) {
      return new ConnectionInfo(local, remote, false, null, null, null);
    }
    SSLSession session = ssl.engine().getSession();
    return new ConnectionInfo(local, remote, true, sniffedSni != null ? sniffedSni : requestedServerName(session),
        DownstreamTls.peerUriSan(session), DownstreamTls.localUriSan(session));
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

  /** The configuration new connections get. */
  public ListenerConfig config() {
    return current.config();
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public void close() {
    serverChannel.close().syncUninterruptibly();
  }

}
