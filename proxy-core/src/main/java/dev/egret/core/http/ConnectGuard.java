package dev.egret.core.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * Checks the request HEADERS of one HTTP/2 stream before they become an HTTP request (RFC 9113
 * §8.5, hbone.md §5.2): a classic CONNECT (no {@code :protocol}) carrying {@code :path} or
 * {@code :scheme} is malformed, and a CONNECT on a connection manager without
 * {@code allow_connect} is refused; both get RST_STREAM(PROTOCOL_ERROR). Removes itself after the
 * first HEADERS frame.
 */
final class ConnectGuard extends ChannelInboundHandlerAdapter {
  private static final AsciiString CONNECT = AsciiString.cached("CONNECT");
  private final boolean allowConnect;

  ConnectGuard(boolean allowConnect) {
    this.allowConnect = allowConnect;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Http2HeadersFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ctx.pipeline().remove(this);
    Http2Headers h = frame.headers();
    if (CONNECT.contentEquals(h.method()) && h.get(Http2Headers.PseudoHeaderName.PROTOCOL.value()) == null
        && (!allowConnect || h.path() != null || h.scheme() != null)) {
      ReferenceCountUtil.release(msg);
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
