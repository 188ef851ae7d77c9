package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 connection keep-alive (Envoy's {@code connection_keepalive}, ztunnel's ping-pong): sends a
 * PING after the interval (plus jitter), waits for its ACK, and sends the next PING an interval after
 * the ACK. When no ACK arrives within the timeout the connection is closed with GOAWAY(NO_ERROR),
 * without waiting for open streams (the peer is gone). The timeout is extended while other frames
 * keep arriving, so a busy connection is not killed by head-of-line delay.
 *
 * <p>Sits on the connection's pipeline after the {@code Http2FrameCodec}; it consumes the ACKs of
 * its own PINGs and passes every other message on. Peer PINGs are answered by the codec.
 */
public final class Http2PingKeepalive extends ChannelInboundHandlerAdapter {
  private final Http2Keepalive settings;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  private long outstanding = -1; // payload of the PING awaiting its ACK; -1 when none
  private long pingSentNanos;
  private long lastReadNanos;
  private long nextPayload = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
  private boolean stopped;

  public Http2PingKeepalive(Http2Keepalive settings) {
    this.settings = requireNonNull(settings, "settings");
    if (!settings.enabled()) {
      throw new IllegalArgumentException("keepalive is off");
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      scheduleNextPing();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (timer == null && !stopped) {
      scheduleNextPing();
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = System.nanoTime();
    if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == outstanding) {
      outstanding = -1;
      cancelTimer();
      scheduleNextPing();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    stopped = true;
    cancelTimer();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void scheduleNextPing() {
    if (stopped) {
      return;
    }
    long interval = settings.intervalMillis();
    long jitter = (long) (interval * settings.jitterPercent() / 100.0);
    long delay = interval + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
    timer = ctx.executor().schedule(this::sendPing, delay, TimeUnit.MILLISECONDS);
  }

  private void sendPing() {
    timer = null;
    if (stopped || !ctx.channel().isActive()) {
      return;
    }
    outstanding = nextPayload++;
    pingSentNanos = System.nanoTime();
    ctx.writeAndFlush(new DefaultHttp2PingFrame(outstanding, false));
    timer = ctx.executor().schedule(this::checkTimeout, settings.timeoutMillis(), TimeUnit.MILLISECONDS);
  }

  private void checkTimeout() {
    timer = null;
    if (stopped || outstanding < 0) {
      return;
    }
    long since = Math.max(pingSentNanos, lastReadNanos);
    long leftMillis = settings.timeoutMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    if (lastReadNanos > pingSentNanos && leftMillis > 0) {
      timer = ctx.executor().schedule(this::checkTimeout, leftMillis, TimeUnit.MILLISECONDS);
      return;
    }
    stop();
    // GOAWAY(NO_ERROR) as ztunnel does, then close below the HTTP/2 codec: its graceful close would
    // wait for streams a dead peer will never finish.
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR))
        .addListener(f -> ctx.pipeline().firstContext().close());
  }
}
