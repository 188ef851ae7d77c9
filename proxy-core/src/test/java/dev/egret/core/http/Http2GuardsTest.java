package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.stats.HttpStats;
import dev.egret.core.stats.Stats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Http2Guards} on an {@link EmbeddedChannel} in front of the real codec, where the tests control
 * what a real socket cannot be made to do on cue: a peer whose socket never drains (writes stay
 * pending), and the clock that judges a reset premature.
 */
class Http2GuardsTest {
  private final Stats stats = new Stats();
  private final HttpStats httpStats = stats.http("guards");
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final List<Object> held = new ArrayList<>();
  private final List<ChannelPromise> pending = new ArrayList<>();
  private EmbeddedChannel server;

  @AfterEach
  void release() {
    held.forEach(ReferenceCountUtil::release);
    List.copyOf(pending).forEach(p -> p.tryFailure(new java.nio.channels.ClosedChannelException()));
    if (server != null) {
      server.finishAndReleaseAll();
    }
  }

  /** A server channel: [socket that never drains][guard][codec]. */
  private EmbeddedChannel server(Http2FloodLimits limits) {
    server = new EmbeddedChannel();
    server.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        held.add(msg);
        pending.add(promise); // never written: the promise stays pending, as for a peer that does not read
      }
    });
    server.pipeline().addLast(new Http2Guards(limits, httpStats.http2, httpStats.downstreamRqTooManyPrematureResets,
        60 * 1024, clock::get));
    server.pipeline().addLast(Http2Guards.codecBuilder(limits, httpStats.http2).build());
    server.pipeline().addLast(new SwallowErrors());
    return server;
  }

  /** The connection errors the codec passes on (a real pipeline logs them at its tail). */
  private static final class SwallowErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }

  /** The bytes a client writing these frames puts on the wire. */
  private static ByteBuf client(Consumer<Writer> frames) {
    EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    ChannelHandlerContext ctx = client.pipeline().firstContext();
    DefaultHttp2FrameWriter w = new DefaultHttp2FrameWriter();
    frames.accept(new Writer(w, ctx));
    client.flush();
    ByteBuf out = Unpooled.buffer();
    for (Object o; (o = client.readOutbound()) != null; ) {
      out.writeBytes((ByteBuf) o);
      ((ByteBuf) o).release();
    }
    client.finishAndReleaseAll();
    return out;
  }

  private record Writer(DefaultHttp2FrameWriter w, ChannelHandlerContext ctx) {
    void preface() {
      ctx.write(Http2CodecUtil.connectionPrefaceBuf());
      w.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
    }

    void ping(long data) {
      w.writePing(ctx, false, data, ctx.newPromise());
    }

    void open(int id) {
      w.writeHeaders(ctx, id, new DefaultHttp2Headers().method("GET").scheme("http").authority("a").path("/"),
          0, true, ctx.newPromise());
    }

    void reset(int id) {
      w.writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
    }
  }

  private static Http2FloodLimits outbound(int frames, int controlFrames) {
    Http2FloodLimits d = Http2FloodLimits.DEFAULT;
    return new Http2FloodLimits(frames, controlFrames, d.maxConsecutiveEmptyFrames(), d.maxPriorityFramesPerStream(),
        d.maxWindowUpdatesPerDataFrameSent(), d.maxRstFramesPerWindow(), d.rstWindowSeconds(),
        d.maxSmallContinuationFrames(), d.smallContinuationBytes(), d.controlFrameBurst(), d.controlFramesPerSecond(),
        d.prematureResetTotalStreams(), d.prematureResetMinLifetimeMillis());
  }

  @Test
  void peerThatDoesNotReadWhileControlFramesPileUpIsClosed() {
    EmbeddedChannel ch = server(outbound(10_000, 50));
    ch.writeInbound(client(w -> {
      w.preface();
      for (int i = 0; i < 60; i++) {
        w.ping(i); // each PING ACK stays queued
      }
    }));
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(httpStats.http2.outboundControlFlood.value()).isEqualTo(1);
    assertThat(httpStats.http2.outboundFlood.value()).isZero();
  }

  @Test
  void peerThatDoesNotReadWhileFramesPileUpIsClosed() {
    EmbeddedChannel ch = server(outbound(20, 1000));
    ch.writeInbound(client(w -> {
      w.preface();
      for (int i = 0; i < 30; i++) {
        w.ping(i);
      }
    }));
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(httpStats.http2.outboundFlood.value()).isEqualTo(1);
  }

  @Test
  void queuedFramesAreForgottenOnceWritten() {
    EmbeddedChannel ch = new EmbeddedChannel();
    Http2Guards guards = new Http2Guards(outbound(20, 1000), httpStats.http2,
        httpStats.downstreamRqTooManyPrematureResets, 60 * 1024, clock::get);
    ch.pipeline().addLast(guards);
    ch.pipeline().addLast(Http2Guards.codecBuilder(outbound(20, 1000), httpStats.http2).build());
    ch.pipeline().addLast(new SwallowErrors());
    server = ch;
    for (int round = 0; round < 5; round++) {
      int r = round;
      ch.writeInbound(client(w -> {
        if (r == 0) {
          w.preface();
        }
        for (int i = 0; i < 15; i++) {
          w.ping(i);
        }
      }));
      ch.runPendingTasks();
      for (Object o; (o = ch.readOutbound()) != null; ) {
        ReferenceCountUtil.release(o);
      }
      assertThat(guards.queuedFrames()).isZero();
    }
    assertThat(ch.isOpen()).isTrue();
    assertThat(httpStats.http2.outboundFlood.value()).isZero();
  }

  @Test
  void clientResettingHalfItsStreamsWithinASecondIsClosedAsPrematureResets() {
    EmbeddedChannel ch = server(Http2FloodLimits.DEFAULT.withPrematureReset(10, 1000));
    ch.writeInbound(client(w -> {
      w.preface();
      for (int id = 1; id <= 9; id += 2) { // 5 streams reset at once: 5 × 2 >= 10
        w.open(id);
        w.reset(id);
      }
    }));
    ch.runPendingTasks();
    assertThat(httpStats.downstreamRqTooManyPrematureResets.value()).isEqualTo(1);
  }

  @Test
  void resetsAfterTheMinimumLifetimeAreNotPremature() {
    EmbeddedChannel ch = server(Http2FloodLimits.DEFAULT.withPrematureReset(10, 1000));
    ch.writeInbound(client(Writer::preface));
    for (int id = 1; id <= 39; id += 2) {
      int sid = id;
      ch.writeInbound(client(w -> w.open(sid)));
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1500));
      ch.writeInbound(client(w -> w.reset(sid)));
    }
    ch.runPendingTasks();
    assertThat(httpStats.downstreamRqTooManyPrematureResets.value()).isZero();
    assertThat(ch.isOpen()).isTrue();
    assertThat(httpStats.http2.rxReset.value()).isEqualTo(20);
  }

  @Test
  void prematureRatioIsJudgedOverAllClosedStreamsOnceTheThresholdIsReached() {
    EmbeddedChannel ch = server(Http2FloodLimits.DEFAULT.withPrematureReset(10, 1000));
    ch.writeInbound(client(Writer::preface));
    // 4 quick resets (8 < 10: not yet certain), then 6 streams that live long
    for (int id = 1; id <= 7; id += 2) {
      int sid = id;
      ch.writeInbound(client(w -> {
        w.open(sid);
        w.reset(sid);
      }));
    }
    for (int id = 9; id <= 19; id += 2) {
      int sid = id;
      ch.writeInbound(client(w -> w.open(sid)));
      clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
      ch.writeInbound(client(w -> w.reset(sid)));
    }
    assertThat(httpStats.downstreamRqTooManyPrematureResets.value()).as("4 of 10").isZero();
    // one more quick reset: 5 of 11 is still under half
    ch.writeInbound(client(w -> {
      w.open(21);
      w.reset(21);
    }));
    assertThat(httpStats.downstreamRqTooManyPrematureResets.value()).as("5 of 11").isZero();
    // and another: 6 of 12 is half
    ch.writeInbound(client(w -> {
      w.open(23);
      w.reset(23);
    }));
    assertThat(httpStats.downstreamRqTooManyPrematureResets.value()).as("6 of 12").isEqualTo(1);
  }
}
