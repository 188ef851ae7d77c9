package dev.egret.core.pool;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * One request/response exchange with an upstream, seen as HTTP/1-style objects whichever protocol
 * carries it: on an HTTP/1.1 connection this handler sits at the end of the connection's pipeline and
 * serves one exchange after another; on HTTP/2 it sits in the stream's child channel.
 *
 * <p>Reads are explicit ({@code autoRead} is off): the router asks for more response data with
 * {@link #read()} only when the downstream can take it, which is how backpressure crosses the proxy.
 */
public final class UpstreamStream extends ChannelInboundHandlerAdapter {
  private final Channel channel;
  private final boolean http2;
  private final UpstreamConnection connection; // owns pooling; nullable only in tests
  private UpstreamStreamListener listener;
  private boolean requestDone;
  private boolean responseDone;
  private boolean keepAlive = true;
  private boolean finished;

  UpstreamStream(Channel channel, boolean http2, UpstreamConnection connection) {
    this.channel = channel;
    this.http2 = http2;
    this.connection = connection;
  }

  /** Starts a new exchange on this stream (HTTP/1.1 connections serve several in turn). */
  void begin(UpstreamStreamListener listener) {
    this.listener = listener;
    this.requestDone = false;
    this.responseDone = false;
    this.keepAlive = true;
    this.finished = false;
  }

  public boolean isHttp2() {
    return http2;
  }


  public Channel channel() {
    return channel;
  }

  /** The local address of the upstream connection, or null (none, or an in-process connection). */
  public InetSocketAddress localAddress() {
    Channel c = http2 ? channel.parent() : channel;
    return c != null && c.localAddress() instanceof InetSocketAddress a ? a : null;
  }

  public void writeHeaders(HttpRequest request) {
    if (!HttpUtil.isKeepAlive(request)) {
      keepAlive = false;
    }
    channel.write(request, channel.voidPromise());
    if (request instanceof LastHttpContent) {
      requestDone = true;
      channel.flush();
    }
  }

  public void writeData(HttpContent content) {
    channel.write(content, channel.voidPromise());
  }

  public void writeLast(LastHttpContent last) {
    requestDone = true;
    channel.writeAndFlush(last, channel.voidPromise());
    maybeFinish();
  }

  public void flush() {
    channel.flush();
  }

  public boolean isWritable() {
    return channel.isWritable();
  }

  /** Asks for the next piece of the response. */
  public void read() {
    channel.read();
  }

  /** Abandons the exchange: an HTTP/1.1 connection is closed, an HTTP/2 stream is reset. */
  public void reset() {
    if (finished) {
      return;
    }
    finished = true;
    listener = null;
    channel.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamStreamListener l = listener;
    if (l == null || finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject o && o.decoderResult() != DecoderResult.SUCCESS
        && o.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      fail(ResetReason.PROTOCOL_ERROR, null);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (!HttpUtil.isKeepAlive(response)) {
        keepAlive = false;
      }
      l.onResponseHeaders(response); // a FullHttpResponse is the whole response: no end call follows
      if (response instanceof LastHttpContent) {
        responseDone = true;
        maybeFinish();
      }
      return;
    }
    if (msg instanceof LastHttpContent last) {
      responseDone = true;
      l.onResponseEnd(last);
      maybeFinish();
    } else if (msg instanceof HttpContent content) {
      l.onResponseData(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame rst) {
      ResetReason r = rst.errorCode() == Http2Error.REFUSED_STREAM.code()
          ? ResetReason.REMOTE_REFUSED_STREAM_RESET : ResetReason.REMOTE_RESET;
      fail(r, null);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamStreamListener l = listener;
    if (l != null && !finished) {
      l.onWritabilityChanged(channel.isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished && listener != null) {
      fail(http2 && channel.parent() != null && channel.parent().isActive()
          ? ResetReason.REMOTE_RESET : ResetReason.CONNECTION_TERMINATION, null);
    }
    if (connection != null) {
      connection.streamClosed(this);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!finished && listener != null) {
      fail(ResetReason.PROTOCOL_ERROR, null);
    }
    ctx.close();
  }

  private void fail(ResetReason reason, String transportFailure) {
    UpstreamStreamListener l = listener;
    finished = true;
    listener = null;
    channel.close();
    if (l != null) {
      l.onReset(reason, transportFailure);
    }
  }

  private void maybeFinish() {
    if (finished || !requestDone || !responseDone) {
      return;
    }
    finished = true;
    listener = null;
    if (connection != null) {
      connection.exchangeDone(this, keepAlive);
    } else if (http2) {
      channel.close();
    }
  }
}
