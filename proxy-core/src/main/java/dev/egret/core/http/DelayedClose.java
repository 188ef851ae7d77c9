package dev.egret.core.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's {@code delayed_close_timeout} (1 s): when Egret closes an HTTP/1.1 connection after its
 * response, it first flushes, half-closes its side and discards whatever the client still sends, then
 * closes when the client does or the timeout passes. Closing at once with unread bytes in the socket
 * makes the kernel send a reset, which can destroy the response (a 400 or 431) before the client has
 * read it.
 */
final class DelayedClose {
  static final long TIMEOUT_MILLIS = 1000;

  private DelayedClose() {}

  static void flushThenClose(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
      if (!ch.isActive()) {
        return;
      }
      if (!(ch instanceof DuplexChannel duplex) || !f.isSuccess()) {
        ch.close();
        return;
      }
      ch.pipeline().addFirst("egret-discard", Discard.INSTANCE);
      ch.config().setAutoRead(true);
      duplex.shutdownOutput().addListener(done -> {
        if (!done.isSuccess()) {
          ch.close();
        }
      });
      ch.eventLoop().schedule(() -> ch.close(), TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /** Swallows the client's remaining bytes; its end of stream closes the connection. */
  @ChannelHandler.Sharable
  private static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
