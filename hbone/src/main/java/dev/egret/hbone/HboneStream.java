package dev.egret.hbone;

import static java.util.Objects.requireNonNull;

import dev.egret.core.pool.ResetReason;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeOpener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * One HBONE tunnel: a CONNECT stream on a pooled connection, and the {@link BytePipe} over it.
 * The CONNECT is sent at once; the pipe is handed out only on a 200. Any other status, a reset or
 * the stream closing first is a connect failure (hbone.md §12 rule 6). Afterwards DATA frames carry
 * the bytes, an empty DATA frame with END_STREAM is our half-close, RST_STREAM(CONNECT_ERROR) our
 * abort; the peer's RST_STREAM(NO_ERROR or CANCEL) is a clean end (§8.4).
 */
final class HboneStream extends ChannelInboundHandlerAdapter implements BytePipe {
  private final String authority;
  private final Http2Headers extraHeaders;
  private final BytePipe.Listener listener;
  private final PipeOpener.Callback callback;
  private Channel ch;
  private boolean established;
  private boolean failed;
  private boolean cancelled;
  private boolean inputEnded;
  private boolean outputEnded;
  private boolean closedReported;

  HboneStream(String authority, Http2Headers extraHeaders, BytePipe.Listener listener, PipeOpener.Callback callback) {
    this.authority = requireNonNull(authority, "authority");
    this.extraHeaders = extraHeaders;
    this.listener = requireNonNull(listener, "listener");
    this.callback = requireNonNull(callback, "callback");
  }

  /** Withdraws a CONNECT whose answer has not come: the stream is cancelled, nobody is told. */
  void cancel() {
    cancelled = true;
    if (ch != null && !established) {
      ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    }
  }

  /** The stream could not be opened on its connection at all. */
  void openFailed(Throwable cause) {
    fail(ResetReason.REMOTE_CONNECTION_FAILURE, "HBONE stream could not be opened: " + cause.getMessage());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ch = ctx.channel();
    ch.config().setAutoRead(false);
    if (cancelled) {
      ch.close();
      return;
    }
    Http2Headers h = new DefaultHttp2Headers().method("CONNECT").authority(authority);
    if (extraHeaders != null) {
      h.add(extraHeaders);
    }
    ch.writeAndFlush(new DefaultHttp2HeadersFrame(h, false));
    ch.read(); // the response
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2HeadersFrame hf) {
      if (!established) {
        onResponse(hf);
      } else if (hf.isEndStream()) {
        peerEnded(); // trailers: nothing to relay but the end
      }
      return;
    }
    if (msg instanceof Http2DataFrame df) {
      if (!established || cancelled || closedReported) {
        df.release();
        return;
      }
      boolean end = df.isEndStream();
      ByteBuf content = df.content();
      if (content.isReadable()) {
        listener.onData(content); // the listener owns the bytes now
      } else {
        content.release();
      }
      if (end) {
        peerEnded();
      }
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void onResponse(Http2HeadersFrame hf) {
    CharSequence status = hf.headers().status();
    if (cancelled) {
      ch.close();
      return;
    }
    if (status == null || !"200".contentEquals(status)) {
      if (!hf.isEndStream()) {
        ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
      }
      fail(ResetReason.REMOTE_CONNECTION_FAILURE, "HBONE CONNECT answered " + status);
      return;
    }
    established = true;
    callback.onOpen(this);
    if (hf.isEndStream()) {
      peerEnded();
    }
  }

  private void peerEnded() {
    if (inputEnded) {
      return;
    }
    inputEnded = true;
    listener.onEnd();
    if (outputEnded) {
      reportClosed(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame r) {
      if (!established) {
        fail(r.errorCode() == Http2Error.REFUSED_STREAM.code() ? ResetReason.REMOTE_REFUSED_STREAM_RESET
            : ResetReason.REMOTE_CONNECTION_FAILURE, "HBONE CONNECT reset with code " + r.errorCode());
        return;
      }
      long code = r.errorCode();
      if (code == Http2Error.NO_ERROR.code() || code == Http2Error.CANCEL.code()) {
        if (!inputEnded && !closedReported) {
          inputEnded = true;
          listener.onEnd();
        }
        reportClosed(true);
      } else {
        reportClosed(false);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (established && !closedReported) {
      listener.onWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!established) {
      fail(ResetReason.CONNECTION_TERMINATION, "HBONE stream closed before the CONNECT was answered");
      return;
    }
    reportClosed(inputEnded && outputEnded);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void fail(ResetReason reason, String why) {
    if (failed || established || cancelled) {
      return;
    }
    failed = true;
    callback.onFailure(reason, why);
  }

  private void reportClosed(boolean graceful) {
    if (closedReported) {
      return;
    }
    closedReported = true;
    listener.onClosed(graceful);
  }

  // ---------------------------------------------------------------- BytePipe

  @Override
  public void write(ByteBuf data) {
    if (outputEnded || closedReported) {
      data.release();
      return;
    }
    ch.write(new DefaultHttp2DataFrame(data, false));
  }

  @Override
  public void flush() {
    flushNow();
  }

  /**
   * Flushes the stream, and the connection under it: a stream channel ignores its own flush while
   * its parent is in a read loop and relies on the connection flushing at read-complete, which the
   * connection does only when some stream received a frame. Writing in reaction to a WINDOW_UPDATE
   * (a writability change) would otherwise leave the bytes unflushed and the stream unwritable.
   */
  private void flushNow() {
    ch.flush();
    Channel parent = ch.parent();
    if (parent != null) {
      parent.flush();
    }
  }

  @Override
  public boolean isWritable() {
    return ch.isWritable();
  }

  @Override
  public void read() {
    if (!inputEnded && !closedReported) {
      ch.read();
      flushNow(); // the WINDOW_UPDATE for what was consumed leaves now
    }
  }

  @Override
  public void halfClose() {
    if (outputEnded || closedReported) {
      return;
    }
    outputEnded = true;
    ch.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
    flushNow();
    if (inputEnded) {
      reportClosed(true);
    }
  }

  @Override
  public void close() {
    if (closedReported) {
      return;
    }
    if (!outputEnded) {
      halfClose();
    }
    if (!inputEnded) {
      ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR)); // we will read no more
    }
    reportClosedQuietly();
  }

  @Override
  public void reset() {
    if (closedReported) {
      return;
    }
    closedReported = true; // the holder asked for it
    ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CONNECT_ERROR));
  }

  /** The holder ended the pipe itself: no callback is owed. */
  private void reportClosedQuietly() {
    closedReported = true;
  }

  @Override
  public InetSocketAddress localAddress() {
    Channel parent = ch.parent();
    return parent != null && parent.localAddress() instanceof InetSocketAddress a ? a : null;
  }
}
