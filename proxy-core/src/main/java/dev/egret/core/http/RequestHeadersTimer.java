package dev.egret.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * HCM {@code request_headers_timeout} on an HTTP/1.1 connection (the slowloris guard): armed by the
 * first byte of a request, disarmed when its headers are decoded. On expiry the client gets
 * {@code 408 request header timeout} and the connection is closed. Sits before the HTTP codec.
 *
 * <p>Requests only move a deadline; the one scheduled task, when it fires, re-arms itself for a
 * deadline still ahead. A kept-alive connection therefore schedules at most one task per timeout
 * period, not one per request.
 */
public final class RequestHeadersTimer extends ChannelInboundHandlerAdapter {
  private static final byte[] REPLY = ("HTTP/1.1 408 Request Timeout\r\ncontent-length: 22\r\n"
      + "content-type: text/plain\r\nconnection: close\r\n\r\nrequest header timeout")
      .getBytes(StandardCharsets.US_ASCII);

  private final long timeoutMillis;
  private boolean waitingForHeaders = true;
  private long deadline; // System.nanoTime() by which the headers must be in; 0 = not counting
  private ScheduledFuture<?> timer;
  private ChannelHandlerContext ctx;

  public RequestHeadersTimer(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (waitingForHeaders && deadline == 0 && msg instanceof ByteBuf b && b.isReadable()) {
      deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      if (timer == null) {
        timer = ctx.executor().schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
      }
    }
    ctx.fireChannelRead(msg);
  }

  void headersReceived() {
    waitingForHeaders = false;
    deadline = 0;
  }

  void awaitNextRequest() {
    waitingForHeaders = true;
  }

  private void expire() {
    timer = null;
    if (deadline == 0 || !ctx.channel().isActive()) {
      return; // no request is waiting for its headers: the next one arms the timer again
    }
    long left = deadline - System.nanoTime();
    if (left > 0) {
      timer = ctx.executor().schedule(this::expire, left, TimeUnit.NANOSECONDS);
      return;
    }
    ctx.writeAndFlush(Unpooled.wrappedBuffer(REPLY)).addListener(ChannelFutureListener.CLOSE);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }
}
