package dev.egret.core.pool;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One established upstream connection of a {@link ConnectionPool}: HTTP/1.1 (one exchange at a time,
 * reused while the peer keeps it alive) or HTTP/2 (many concurrent streams up to the peer's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS}). Used only on its pool's event loop.
 */
final class UpstreamConnection {
  /** Default stream limit until the peer says otherwise (Envoy's upstream default). */
  static final int DEFAULT_MAX_STREAMS = 1024;
  static final int MAX_RESPONSE_HEADER_BYTES = 60 * 1024;

  private final ConnectionPool pool;
  private final Channel channel;
  private final boolean http2;
  private final UpstreamStream http1Stream; // the single stream of an HTTP/1.1 connection
  private int activeStreams;
  private long maxStreams = DEFAULT_MAX_STREAMS;
  private boolean draining;
  private ScheduledFuture<?> idleTimer;

  UpstreamConnection(ConnectionPool pool, Channel channel, boolean http2) {
    this.pool = pool;
    this.channel = channel;
    this.http2 = http2;
    if (http2) {
      this.http1Stream = null;
      channel.pipeline().addLast("egret-h2-watch", new ConnectionWatcher());
    } else {
      HttpDecoderConfig decoder = new HttpDecoderConfig()
          .setMaxInitialLineLength(MAX_RESPONSE_HEADER_BYTES)
          .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
          .setMaxChunkSize(64 * 1024)
          .setValidateHeaders(true);
      this.http1Stream = new UpstreamStream(channel, false, this);
      channel.pipeline().addLast("egret-h1-codec", new HttpClientCodec(decoder, false, false));
      channel.pipeline().addLast("egret-upstream-stream", http1Stream);
    }
    channel.closeFuture().addListener(f -> pool.connectionClosed(this));
  }

  boolean isHttp2() {
    return http2;
  }

  Channel channel() {
    return channel;
  }

  boolean isUsable() {
    return channel.isActive() && !draining;
  }

  /** True when another stream may be opened now. */
  boolean hasCapacity() {
    return isUsable() && activeStreams < (http2 ? maxStreams : 1);
  }

  int activeStreams() {
    return activeStreams;
  }

  /** Opens a stream and hands it to the callback (asynchronously for HTTP/2). */
  void newStream(UpstreamStreamListener listener, ConnectionPool.StreamCallback callback) {
    cancelIdleTimer();
    activeStreams++;
    if (!http2) {
      http1Stream.begin(listener);
      callback.onReady(http1Stream);
      return;
    }
    Http2StreamChannelBootstrap b = new Http2StreamChannelBootstrap(channel)
        .option(io.netty.channel.ChannelOption.AUTO_READ, false)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false, true));
          }
        });
    b.open().addListener((Future<Http2StreamChannel> f) -> {
      if (!f.isSuccess()) {
        activeStreams--;
        callback.onFailure(ResetReason.CONNECTION_TERMINATION, null);
        return;
      }
      Http2StreamChannel ch = f.getNow();
      UpstreamStream s = new UpstreamStream(ch, true, this);
      ch.pipeline().addLast(s);
      s.begin(listener);
      callback.onReady(s);
    });
  }

  /** An exchange finished cleanly; the connection may be reused. */
  void exchangeDone(UpstreamStream stream, boolean keepAlive) {
    if (http2) {
      stream.channel().close(); // the child's close accounts for the stream
      return;
    }
    activeStreams = 0;
    if (!keepAlive) {
      channel.close();
      return;
    }
    pool.connectionIdle(this);
  }

  /** A stream's channel closed (HTTP/2 child, or the HTTP/1.1 connection itself). */
  void streamClosed(UpstreamStream stream) {
    if (http2) {
      activeStreams--;
      if (draining && activeStreams == 0) {
        channel.close();
        return;
      }
      pool.streamReleased(this);
    }
  }

  void armIdleTimer(long idleMillis) {
    if (idleMillis <= 0 || activeStreams > 0) {
      return;
    }
    cancelIdleTimer();
    idleTimer = channel.eventLoop().schedule(() -> {
      if (activeStreams == 0) {
        channel.close();
      }
    }, idleMillis, TimeUnit.MILLISECONDS);
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  void close() {
    channel.close();
  }

  /** No new streams from now on; closes now when idle, else once its last stream ends. */
  void drain() {
    draining = true;
    if (activeStreams == 0) {
      channel.close();
    }
  }

  /** Watches connection-level HTTP/2 frames: the peer's stream limit and GOAWAY. */
  private final class ConnectionWatcher extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame s) {
          Long max = s.settings().maxConcurrentStreams();
          if (max != null) {
            maxStreams = Math.min(max, DEFAULT_MAX_STREAMS);
            pool.streamReleased(UpstreamConnection.this);
          }
        } else if (msg instanceof Http2GoAwayFrame) {
          draining = true;
          if (activeStreams == 0) {
            channel.close();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
