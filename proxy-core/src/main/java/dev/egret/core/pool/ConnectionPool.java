package dev.egret.core.pool;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one event loop to one upstream host (for one set of transport options, e.g.
 * one SNI). Like Envoy's per-worker pools: used only on its event loop, so it needs no locks.
 *
 * <p>HTTP/1.1 connections carry one exchange at a time and return to an idle list when the peer keeps
 * them alive; HTTP/2 connections carry up to the peer's stream limit. A request that finds no
 * capacity waits in a queue while a new connection is made.
 */
public final class ConnectionPool {
  private final EventLoop loop;
  private final InetSocketAddress address;
  private final PoolSettings settings;
  private final Connector connector;
  private final ArrayDeque<UpstreamConnection> idleHttp1 = new ArrayDeque<>();
  private final List<UpstreamConnection> http1 = new ArrayList<>(4);
  private final List<UpstreamConnection> http2 = new ArrayList<>(2);
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private int connecting;
  private boolean closed;
  private boolean drained;

  /** A pool of TCP connections to {@code address}. */
  public ConnectionPool(EventLoop loop, InetSocketAddress address, PoolSettings settings) {
    this(loop, address, settings, Connector.tcp(address));
  }

  /** A pool whose connections {@code connector} opens ({@code address} names the host in logs and stats). */
  public ConnectionPool(EventLoop loop, InetSocketAddress address, PoolSettings settings, Connector connector) {
    this.loop = requireNonNull(loop);
    this.address = requireNonNull(address);
    this.settings = requireNonNull(settings);
    this.connector = requireNonNull(connector);
  }

  /** Told when a stream is ready, or why none could be had. */
  public interface StreamCallback {
    void onReady(UpstreamStream stream);

    void onFailure(ResetReason reason, String transportFailureReason);
  }

  /** Lets the caller withdraw a request still waiting for a connection. */
  public interface Cancellable {
    void cancel();
  }

  public InetSocketAddress address() {
    return address;
  }


  /**
   * Gets a stream for one exchange: an idle HTTP/1.1 connection, spare HTTP/2 capacity, or a new
   * connection. Must be called on the pool's event loop.
   */
  public Cancellable newStream(UpstreamStreamListener listener, StreamCallback callback) {
    assert loop.inEventLoop();
    settings.stats().upstreamRqTotal.inc();
    UpstreamConnection c = pickReady();
    if (c != null) {
      attach(c, listener, callback);
      return () -> { };
    }
    if (!settings.breakers().tryStartPending()) {
      settings.stats().upstreamRqPendingOverflow.inc();
      callback.onFailure(ResetReason.OVERFLOW, null);
      return () -> { };
    }
    Pending p = new Pending(listener, callback);
    pending.add(p);
    settings.stats().upstreamRqPendingTotal.inc();
    if (needsNewConnection()) {
      connect();
    }
    return () -> {
      if (pending.remove(p)) {
        settings.breakers().pendingDone();
      }
    };
  }

  private UpstreamConnection pickReady() {
    while (!idleHttp1.isEmpty()) {
      UpstreamConnection c = idleHttp1.pollLast(); // most recently used: warm and least likely to be closed
      if (c.isUsable()) {
        return c;
      }
    }
    for (UpstreamConnection c : http2) {
      if (c.hasCapacity()) {
        return c;
      }
    }
    return null;
  }

  private boolean needsNewConnection() {
    // HTTP/2 (or a not-yet-known ALPN result) multiplexes: one connection in flight serves the queue.
    if (settings.protocol() != UpstreamProtocol.HTTP1 && connecting > 0) {
      return false;
    }
    if (connecting >= pending.size()) {
      return false;
    }
    if (!settings.breakers().canOpenConnection()) {
      settings.stats().upstreamCxOverflow.inc(); // the request waits for a connection to free up
      return false;
    }
    return true;
  }

  /** Takes the oldest waiting request off the queue, releasing its pending slot. */
  private Pending pollPending() {
    Pending p = pending.poll();
    if (p != null) {
      settings.breakers().pendingDone();
    }
    return p;
  }

  private void attach(UpstreamConnection c, UpstreamStreamListener listener, StreamCallback callback) {
    c.newStream(listener, callback);
  }

  private void connect() {
    connecting++;
    settings.breakers().connectionOpened();
    settings.stats().upstreamCxTotal.inc();
    ChannelFuture f = connector.connect(loop, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (settings.tls() != null) {
          ch.pipeline().addLast("egret-tls", settings.tls().apply(ch.alloc()));
        }
        ch.pipeline().addLast(CONNECT_ERRORS, ConnectErrors.INSTANCE);
      }
    }, settings.connectTimeoutMillis());
    f.addListener((ChannelFuture cf) -> {
      if (!cf.isSuccess()) {
        connectFailed(cf.cause());
        return;
      }
      Channel ch = cf.channel();
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      if (ssl == null) {
        established(ch, settings.protocol() == UpstreamProtocol.HTTP2);
        return;
      }
      ch.read(); // the handshake needs inbound bytes even with autoRead off
      ssl.handshakeFuture().addListener(hf -> {
        if (!hf.isSuccess()) {
          ch.close();
          connectFailed(hf.cause());
          return;
        }
        // a protocol the server agreed to by ALPN wins; without ALPN the cluster's setting decides
        String alpn = ssl.applicationProtocol();
        boolean h2 = alpn == null || alpn.isEmpty()
            ? settings.protocol() == UpstreamProtocol.HTTP2
            : ApplicationProtocolNames.HTTP_2.equals(alpn);
        established(ch, h2);
      });
    });
  }

  private void connectFailed(Throwable cause) {
    connecting--;
    settings.breakers().connectionClosed();
    settings.stats().upstreamCxConnectFail.inc();
    ResetReason reason = settings.failures().resetReason(cause);
    if (reason == ResetReason.CONNECTION_TIMEOUT) {
      settings.stats().upstreamCxConnectTimeout.inc();
    }
    String tfr = settings.failures().transportFailureReason(cause);
    // Envoy fails every request waiting on this connection attempt; for HTTP/1.1 each waits on its own.
    int n = settings.protocol() == UpstreamProtocol.HTTP1 ? 1 : pending.size();
    for (int i = 0; i < n && !pending.isEmpty(); i++) {
      Pending p = pollPending();
      p.callback.onFailure(reason, tfr);
    }
  }

  private void established(Channel ch, boolean h2) {
    connecting--;
    ch.pipeline().remove(CONNECT_ERRORS);
    settings.stats().upstreamCxActive.inc();
    settings.observer().opened();
    ch.closeFuture().addListener(f -> {
      settings.stats().upstreamCxActive.dec();
      settings.observer().closed();
      settings.breakers().connectionClosed();
    });
    if (closed) {
      ch.close();
      return;
    }
    if (h2) {
      settings.stats().upstreamCxHttp2Total.inc();
      Http2Settings initial = Http2Settings.defaultSettings()
          .initialWindowSize(16 * 1024 * 1024)
          .maxHeaderListSize(UpstreamConnection.MAX_RESPONSE_HEADER_BYTES)
          .pushEnabled(false);
      ch.pipeline().addLast("egret-h2-codec", Http2FrameCodecBuilder.forClient()
          .initialSettings(initial)
          .validateHeaders(true)
          .build());
      ch.pipeline().addLast("egret-h2-mux", new Http2MultiplexHandler(new RefusePushes()));
      ch.config().setAutoRead(true); // the connection reads frames; streams pace themselves
      UpstreamConnection c = new UpstreamConnection(this, ch, true);
      http2.add(c);
      servePending();
    } else {
      settings.stats().upstreamCxHttp1Total.inc();
      UpstreamConnection c = new UpstreamConnection(this, ch, false);
      http1.add(c);
      connectionIdle(c);
    }
  }

  private void servePending() {
    while (!pending.isEmpty()) {
      UpstreamConnection c = pickReady();
      if (c == null) {
        if (needsNewConnection()) {
          connect();
        }
        return;
      }
      Pending p = pollPending();
      attach(c, p.listener, p.callback);
    }
  }

  /** An HTTP/1.1 connection finished its exchange and can be reused. */
  void connectionIdle(UpstreamConnection c) {
    if (!c.isUsable() || closed) {
      c.close();
      return;
    }
    Pending p = pollPending();
    if (p != null) {
      attach(c, p.listener, p.callback);
      return;
    }
    if (drained) {
      c.close();
      return;
    }
    idleHttp1.add(c);
    c.armIdleTimer(settings.idleTimeoutMillis());
    c.channel().read(); // keep reading while idle, so a peer's close is seen before reuse
  }

  /** An HTTP/2 stream ended, or the peer raised its limit: waiting requests may proceed. */
  void streamReleased(UpstreamConnection c) {
    if (!pending.isEmpty()) {
      servePending();
    }
    if (c.activeStreams() == 0) {
      if (drained && pending.isEmpty()) {
        c.close();
        return;
      }
      c.armIdleTimer(settings.idleTimeoutMillis());
    }
  }

  void connectionClosed(UpstreamConnection c) {
    settings.stats().upstreamCxDestroy.inc();
    if (c.isHttp2()) {
      http2.remove(c);
    } else {
      http1.remove(c);
      idleHttp1.remove(c);
    }
  }

  /**
   * Drains the pool, as Envoy drains a host's pools when it fails a health check (outlier ejection):
   * its connections take no new streams, idle ones close now and busy ones once their exchanges end.
   * Requests still waiting are served by new connections, which close once the queue is empty. The
   * caller stops handing the pool new requests. Call on the pool's event loop.
   */
  public void drain() {
    assert loop.inEventLoop();
    drained = true;
    for (UpstreamConnection c : new ArrayList<>(http1)) {
      c.drain();
    }
    for (UpstreamConnection c : new ArrayList<>(http2)) {
      c.drain();
    }
  }

  /** Closes every connection; waiting requests fail. */
  public void close() {
    closed = true;
    for (UpstreamConnection c : new ArrayList<>(http1)) {
      c.close();
    }
    for (UpstreamConnection c : new ArrayList<>(http2)) {
      c.close();
    }
    while (!pending.isEmpty()) {
      pollPending().callback.onFailure(ResetReason.CONNECTION_TERMINATION, null);
    }
  }

  private record Pending(UpstreamStreamListener listener, StreamCallback callback) {}

  private static final String CONNECT_ERRORS = "egret-connect-errors";

  /**
   * Until a connection is established its failures are reported through the connect and handshake
   * futures; this keeps the same exception from also reaching the pipeline's tail as "unhandled".
   */
  @ChannelHandler.Sharable
  private static final class ConnectErrors extends ChannelInboundHandlerAdapter {
    static final ConnectErrors INSTANCE = new ConnectErrors();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Egret never asks for server push; a pushed stream is refused by closing it. */
  @ChannelHandler.Sharable
  private static final class RefusePushes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
