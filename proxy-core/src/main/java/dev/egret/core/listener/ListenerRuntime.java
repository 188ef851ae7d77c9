package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.Transports;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.internal.InternalChannel;
import dev.egret.core.internal.InternalListeners;
import dev.egret.core.network.ConnectionFilters;
import dev.egret.core.overload.OverloadManagerRuntime;
import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.stream.FilterState;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import dev.egret.core.tls.DownstreamTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;

/**
 * A bound listener: accepts connections, picks each one's filter chain (peeking at the TLS
 * ClientHello when a chain matches on SNI, ALPN or transport) and installs that chain's transport
 * socket, then runs its network filters and terminal filter (HTTP connection manager or
 * {@code tcp_proxy}) on the connection's event loop.
 */
public final class ListenerRuntime {
  private static final InetSocketAddress NO_ADDRESS =
      new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString("0.0.0.0"), 0);

  private final ListenerConfig config;
  private final Channel serverChannel; // null for an internal listener
  private final Runnable unregister; // null for a bound listener

  private ListenerRuntime(ListenerConfig config, Channel serverChannel, Runnable unregister) {
    this.config = config;
    this.serverChannel = serverChannel;
    this.unregister = unregister;
  }

  /**
   * Makes an internal listener reachable by name in {@code registry}. Its connections arrive as
   * {@link InternalChannel}s on the connecting side's event loop, carrying the filter state and
   * dynamic metadata their opener passed.
   */
  public static ListenerRuntime registerInternal(ListenerConfig config, InternalListeners registry) {
    return registerInternal(config, registry, null);
  }

  /**
   * As {@link #registerInternal(ListenerConfig, InternalListeners)}; its connections carry
   * {@code overload} (nullable) for request-level overload actions. In-process connections are not
   * counted against connection limits.
   */
  public static ListenerRuntime registerInternal(ListenerConfig config, InternalListeners registry,
      OverloadManagerRuntime overload) {
    requireNonNull(config);
    if (!config.internal()) {
      throw new IllegalArgumentException("listener '" + config.name() + "' is not internal");
    }
    Consumer<Channel> acceptor = ch -> {
      ch.config().setAutoRead(false);
      ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(Math.max(1, config.bufferLimitBytes() / 2),
          Math.max(2, config.bufferLimitBytes())));
      if (overload != null) {
        ch.attr(OverloadManagerRuntime.KEY).set(overload);
      }
      accept(config, ch);
    };
    registry.register(config.name(), acceptor);
    return new ListenerRuntime(config, null, () -> registry.remove(config.name(), acceptor));
  }

  /** Binds the listener; blocks until bound (or throws why it could not be). */
  public static ListenerRuntime bind(ListenerConfig config, EventLoopGroup boss, EventLoopGroup workers)
      throws InterruptedException {
    return bind(config, boss, workers, null);
  }

  /**
   * As {@link #bind(ListenerConfig, EventLoopGroup, EventLoopGroup)}, admitting each connection through
   * {@code overload} (nullable): connection limits and overload actions, counted in the listener's stats.
   */
  public static ListenerRuntime bind(ListenerConfig config, EventLoopGroup boss, EventLoopGroup workers,
      OverloadManagerRuntime overload) throws InterruptedException {
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
            if (overload != null && !overload.admit(ch, config.name(), config.stats())) {
              ch.close(); // over a connection limit, or shed by the overload manager
              return;
            }
            accept(config, ch);
          }
        });
    Channel server = b.bind(config.address()).sync().channel();
    if (overload != null) {
      overload.registerAcceptor(server);
    }
    return new ListenerRuntime(config, server, null);
  }

  private static void accept(ListenerConfig config, Channel ch) {
    config.stats().downstreamCxTotal.inc();
    config.stats().downstreamCxActive.inc();
    ch.closeFuture().addListener(f -> config.stats().downstreamCxActive.dec());
    StreamInfo info = StreamInfo.startingNow(); // a TCP access log's start: the connection's
    int port = ch.localAddress() instanceof InetSocketAddress a ? a.getPort() : 0;
    if (!config.chains().needsClientHello()) {
      FilterChain chain = config.chains().select(port, null, "raw_buffer", List.of());
      install(config, ch, chain, null, info);
      return;
    }
    ch.pipeline().addLast("egret-tls-inspector", new ClientHelloSniffer((ctx, facts) -> {
      FilterChain chain = config.chains().select(port, facts.hello().sni(),
          facts.tls() ? "tls" : "raw_buffer", facts.hello().alpn());
      install(config, ctx.channel(), chain, facts.hello().sni(), info);
      ctx.pipeline().remove(ctx.handler());
    }));
    ch.config().setAutoRead(true);
  }

  private static void install(ListenerConfig config, Channel ch, FilterChain chain, String sni, StreamInfo info) {
    if (chain == null) {
      config.stats().noFilterChainMatch.inc();
      ch.close();
      return;
    }
    if (chain.tls() == null) {
      startChain(ch, chain, connectionInfo(ch, null, sni), info);
      return;
    }
    SslHandler ssl = chain.tls().apply(ch.alloc());
    ch.pipeline().addLast("egret-tls", ssl);
    ch.pipeline().addLast("egret-handshake", new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
          if (!done.isSuccess()) {
            ctx.close(); // stays in place to swallow the handshake exception that follows
            return;
          }
          ctx.pipeline().remove(this);
          startChain(ctx.channel(), chain, connectionInfo(ctx.channel(), ssl, sni), info);
          return;
        }
        ctx.fireUserEventTriggered(evt);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a failed handshake: the completion event closes as well
      }
    });
    ch.config().setAutoRead(true); // the handshake reads on its own; the chain then takes over
  }

  /** Runs the chain's network filters, then its terminal filter, on a connection whose transport is ready. */
  private static void startChain(Channel ch, FilterChain chain, ConnectionInfo conn, StreamInfo info) {
    info.setDownstreamAddresses(conn.local(), conn.remote());
    info.setRequestedServerName(conn.sni());
    info.setDownstreamPeerUriSan(conn.peerUriSan());
    info.setDownstreamLocalUriSan(conn.localUriSan());
    info.attachConnection(conn.filterState(), conn.dynamicMetadata());
    ConnectionFilters.start(ch, conn, info, chain.networkFilters(), chain.terminal());
  }

  private static ConnectionInfo connectionInfo(Channel ch, SslHandler ssl, String sniffedSni) {
    InetSocketAddress local = ch.localAddress() instanceof InetSocketAddress a ? a : NO_ADDRESS;
    InetSocketAddress remote = ch.remoteAddress() instanceof InetSocketAddress a ? a : NO_ADDRESS;
    FilterState state = FilterState.forConnection();
    DynamicMetadata metadata = DynamicMetadata.forConnection();
    if (ch instanceof InternalChannel internal) {
      // what the opener handed over: shared filter state, passed-through host metadata
      if (internal.attachment(InternalListeners.FILTER_STATE) instanceof FilterState fs) {
        state = fs;
      }
      if (internal.attachment(InternalListeners.METADATA) instanceof DynamicMetadata md) {
        metadata = md;
      }
    }
    if (ssl == null) { // a sniffed SNI stays known when the chain passes TLS through
      return new ConnectionInfo(local, remote, false, sniffedSni, null, null, state, metadata);
    }
    SSLSession session = ssl.engine().getSession();
    return new ConnectionInfo(local, remote, true, sniffedSni != null ? sniffedSni : requestedServerName(session),
        DownstreamTls.peerUriSan(session), DownstreamTls.localUriSan(session), state, metadata);
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

  /** Where the listener is bound, or null for an internal listener. */
  public InetSocketAddress localAddress() {
    return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
  }

  /** Stops accepting (an internal listener stops being reachable); open connections stay. */
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    } else {
      unregister.run();
    }
  }

}
