package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.Transports;
import dev.egret.core.http.ConnectionDrain;
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
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;

/**
 * A bound (or internal) listener: accepts connections, runs its listener filters (which may peek at
 * the TLS ClientHello or the first HTTP bytes, read a PROXY header, or restore addresses from filter
 * state), picks each one's filter chain from what they learned, installs that chain's transport
 * socket, then runs its network filters and terminal filter (HTTP connection manager or
 * {@code tcp_proxy}) on the connection's event loop.
 */
public final class ListenerRuntime {
  private static final InetSocketAddress NO_ADDRESS =
      new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString("0.0.0.0"), 0);

  /** A configuration and the connections accepted under it. */
  private record Generation(ListenerConfig config, ChannelGroup connections) {}

  private volatile Generation current;
  private volatile Channel serverChannel; // null for an internal listener
  private volatile Runnable unregister; // null for a bound listener
  private volatile OverloadManagerRuntime overload; // connection limits and overload actions; nullable

  private ListenerRuntime(ListenerConfig config) {
    this.current = new Generation(config, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
  }

  /**
   * Makes an internal listener reachable by name in {@code registry}. Its connections arrive as
   * {@link InternalChannel}s on the connecting side's event loop, carrying the filter state and
   * dynamic metadata their opener passed. {@link #update} swaps its configuration for new connections.
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
    ListenerRuntime rt = new ListenerRuntime(config);
    rt.overload = overload;
    Consumer<Channel> acceptor = ch -> {
      ListenerConfig c = rt.current.config();
      ch.config().setAutoRead(false);
      ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(Math.max(1, c.bufferLimitBytes() / 2),
          Math.max(2, c.bufferLimitBytes())));
      rt.accepted(ch);
    };
    registry.register(config.name(), acceptor);
    rt.unregister = () -> registry.remove(config.name(), acceptor);
    return rt;
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
    ListenerRuntime rt = new ListenerRuntime(config);
    rt.overload = overload;
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
    if (overload != null) {
      overload.registerAcceptor(rt.serverChannel);
    }
    return rt;
  }

  /** A new connection takes the configuration current at accept time, and keeps it. */
  private void accepted(Channel ch) {
    Generation g = current;
    OverloadManagerRuntime om = overload;
    if (om != null) {
      if (g.config().internal()) {
        om.attach(ch); // in process: not counted against connection limits
      } else if (!om.admit(ch, g.config().name(), g.config().stats())) {
        ch.close(); // over a connection limit, or shed by the overload manager
        return;
      }
    }
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
    close();
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
    accept(config, ch, new ConnectionFacts(local, remote, state, metadata));
  }

  /**
   * Runs a new connection through the listener: its listener filters, then filter-chain selection,
   * then the chosen chain's transport socket, network filters and terminal filter. {@code facts}
   * carries the connection's addresses and its initial filter state (an internal listener's
   * connection brings the state its opener shared, so that {@code original_dst} can restore
   * addresses from it).
   */
  public static void accept(ListenerConfig config, Channel ch, ConnectionFacts facts) {
    config.stats().downstreamCxTotal.inc();
    config.stats().downstreamCxActive.inc();
    ch.closeFuture().addListener(f -> config.stats().downstreamCxActive.dec());
    StreamInfo info = StreamInfo.startingNow(); // a TCP access log's start: the connection's
    ListenerFilterHandler.start(ch, config.listenerFilters(), facts,
        (c, f) -> install(config, c, config.chains().select(f), f, info),
        config.stats().downstreamPreCxTimeout::inc);
  }

  private static void install(ListenerConfig config, Channel ch, FilterChain chain, ConnectionFacts facts,
      StreamInfo info) {
    if (chain == null) {
      config.stats().noFilterChainMatch.inc();
      ch.close();
      return;
    }
    if (chain.tls() == null) {
      startChain(ch, chain, connectionInfo(facts, null), info);
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
          startChain(ctx.channel(), chain, connectionInfo(facts, ssl), info);
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
    info.setDownstreamAddresses(conn.local(), conn.directRemote());
    info.setDownstreamRemoteAddress(conn.remote()); // PROXY protocol / original_dst may differ
    info.setRequestedServerName(conn.sni());
    info.setDownstreamPeerUriSan(conn.peerUriSan());
    info.setDownstreamLocalUriSan(conn.localUriSan());
    info.attachConnection(conn.filterState(), conn.dynamicMetadata());
    ConnectionFilters.start(ch, conn, info, chain.networkFilters(), chain.terminal());
  }

  private static ConnectionInfo connectionInfo(ConnectionFacts f, SslHandler ssl) {
    InetSocketAddress local = f.local() != null ? f.local() : NO_ADDRESS;
    InetSocketAddress remote = f.remote() != null ? f.remote() : NO_ADDRESS;
    InetSocketAddress direct = f.directRemote() != null ? f.directRemote() : remote;
    if (ssl == null) { // a sniffed SNI stays known when the chain passes TLS through
      return new ConnectionInfo(local, remote, false, f.serverName(), null, null, f.filterState(),
          f.dynamicMetadata(), direct);
    }
    SSLSession session = ssl.engine().getSession();
    String sni = f.serverName() != null ? f.serverName() : requestedServerName(session);
    return new ConnectionInfo(local, remote, true, sni, DownstreamTls.peerUriSan(session),
        DownstreamTls.localUriSan(session), f.filterState(), f.dynamicMetadata(), direct,
        dev.egret.core.http.PeerCertificate.from(session));
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
