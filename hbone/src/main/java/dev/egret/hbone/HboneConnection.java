package dev.egret.hbone;

import dev.egret.core.Transports;
import dev.egret.core.http.Http2PingKeepalive;
import dev.egret.core.tls.TransportFailure;
import dev.egret.core.tls.UpstreamTls;
import dev.egret.core.tunnel.TcpPipes;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One pooled HBONE connection: TCP, mutual TLS 1.3 with ALPN {@code h2}, HTTP/2 with ztunnel's
 * windows and keep-alive. It is ready once the server's first SETTINGS arrived (its stream limit is
 * then known); it stops taking streams after a GOAWAY and closes after the idle timeout with no
 * streams. Lives on one event loop; every method is called there.
 */
final class HboneConnection {
  /** What the connection reports to its pool. */
  interface Events {
    void ready(HboneConnection c);

    void connectFailed(HboneConnection c, Throwable cause);

    void streamClosed(HboneConnection c);

    void closed(HboneConnection c);
  }

  private static final int MAX_HEADER_LIST = 16 * 1024; // ztunnel's client value (hbone.md §4.1)

  private final EventLoop loop;
  private final InetSocketAddress address;
  private final HboneClientSettings settings;
  private final Events events;
  private Channel channel;
  private boolean ready;
  private boolean goingAway;
  private boolean failed;
  private long peerMaxStreams = Long.MAX_VALUE;
  private int active;
  private ScheduledFuture<?> timer; // connect deadline, then idle timer

  HboneConnection(EventLoop loop, InetSocketAddress address, HboneClientSettings settings, Events events) {
    this.loop = loop;
    this.address = address;
    this.settings = settings;
    this.events = events;
  }

  void connect(UpstreamTls tls) {
    String peerHost = address.getAddress().getHostAddress();
    Bootstrap b = new Bootstrap().group(loop).channel(Transports.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 4 * 1024 * 1024))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("hbone-tls", tls.newHandler(ch.alloc(), null, peerHost, address.getPort(), null));
            ch.pipeline().addLast("hbone-tls-errors", new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a failed handshake is reported through its future
              }
            });
          }
        });
    timer = loop.schedule(() -> {
      timer = null;
      fail(new java.net.ConnectException("HBONE connection not ready within " + settings.connectTimeoutMillis() + " ms"));
    }, settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    ChannelFuture f = b.connect(address);
    channel = f.channel();
    f.addListener((ChannelFuture cf) -> {
      if (!cf.isSuccess()) {
        fail(cf.cause());
        return;
      }
      cf.channel().closeFuture().addListener(closed -> onClosed());
      SslHandler ssl = cf.channel().pipeline().get(SslHandler.class);
      ssl.handshakeFuture().addListener(hf -> {
        if (!hf.isSuccess()) {
          fail(hf.cause());
        } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
          fail(new javax.net.ssl.SSLHandshakeException("HBONE peer did not negotiate ALPN h2"));
        } else {
          installHttp2(cf.channel());
        }
      });
    });
  }

  private void installHttp2(Channel ch) {
    Http2Settings initial = Http2Settings.defaultSettings()
        .initialWindowSize(settings.initialStreamWindow())
        .maxHeaderListSize(MAX_HEADER_LIST)
        .pushEnabled(false);
    ch.pipeline().addLast("hbone-h2", Http2FrameCodecBuilder.forClient()
        .initialSettings(initial)
        .validateHeaders(true)
        .autoAckPingFrame(true)
        .autoAckSettingsFrame(true)
        .build());
    if (settings.keepalive().enabled()) {
      ch.pipeline().addLast("hbone-keepalive", new Http2PingKeepalive(settings.keepalive()));
    }
    ch.pipeline().addLast("hbone-mux", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ctx.close(); // a server-initiated stream: HBONE has none
      }
    }));
    ch.pipeline().addLast("hbone-conn", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame s) {
          Long max = s.settings().maxConcurrentStreams();
          if (max != null) {
            peerMaxStreams = max;
          }
          if (!ready && !failed) {
            ready = true;
            cancelTimer();
            events.ready(HboneConnection.this);
          }
        } else if (msg instanceof Http2GoAwayFrame) {
          goingAway = true; // streams already open continue; new ones go to another connection
        }
        ReferenceCountUtil.release(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    });
    int increment = settings.initialConnectionWindow() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
    if (increment > 0) {
      ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment));
    }
  }

  private void fail(Throwable cause) {
    if (ready || failed) {
      return;
    }
    failed = true;
    cancelTimer();
    if (channel != null) {
      channel.close();
    }
    events.connectFailed(this, cause);
  }

  private void onClosed() {
    cancelTimer();
    if (!ready && !failed) {
      fail(new java.net.ConnectException("HBONE connection closed during setup"));
      return;
    }
    events.closed(this);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Streams this connection may still open: min(our limit, the peer's) minus those open. */
  int spareStreams() {
    if (!ready || goingAway || !channel.isActive()) {
      return 0;
    }
    long limit = Math.min(settings.maxStreamsPerConnection(), peerMaxStreams);
    return (int) Math.max(0, limit - active);
  }

  boolean isReady() {
    return ready;
  }

  int activeStreams() {
    return active;
  }

  /** Opens a CONNECT stream; the caller checked {@link #spareStreams()}. */
  void open(HboneStream stream) {
    active++;
    cancelTimer(); // no longer idle
    new Http2StreamChannelBootstrap(channel).handler(stream).open().addListener(f -> {
      if (!f.isSuccess()) {
        stream.openFailed(f.cause());
        streamDone();
        return;
      }
      ((Http2StreamChannel) f.getNow()).closeFuture().addListener(cf -> streamDone());
    });
  }

  private void streamDone() {
    active--;
    if (active == 0 && settings.idleTimeoutMillis() > 0 && channel.isActive()) {
      timer = loop.schedule(() -> {
        timer = null;
        if (active == 0) {
          channel.close();
        }
      }, settings.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
    }
    events.streamClosed(this);
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  static String failureReason(Throwable cause) {
    return TransportFailure.reason(cause);
  }

  static dev.egret.core.pool.ResetReason resetReason(Throwable cause) {
    return TcpPipes.resetReason(cause);
  }
}
