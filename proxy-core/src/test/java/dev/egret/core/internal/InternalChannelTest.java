package dev.egret.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InternalChannelTest {
  static MultiThreadIoEventLoopGroup group;

  @BeforeAll
  static void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Collects what a channel reads, counting bytes, and records half-close and close. */
  static final class Sink extends ChannelInboundHandlerAdapter {
    final StringBuilder text = new StringBuilder();
    final AtomicLong bytes = new AtomicLong();
    final CompletableFuture<Void> inputShutdown = new CompletableFuture<>();
    final CompletableFuture<Void> inactive = new CompletableFuture<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      bytes.addAndGet(b.readableBytes());
      if (text.length() < 1000) {
        text.append(b.toString(StandardCharsets.UTF_8));
      }
      b.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        inputShutdown.complete(null);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive.complete(null);
    }
  }

  private static InternalChannel[] registered(Sink client, Sink server) throws Exception {
    InternalChannel[] pair = InternalChannel.pair(new InternalAddress("client", ""),
        new InternalAddress("listener", "10.0.0.1:80"), Map.of("k", "v"));
    EventLoop loop = group.next();
    pair[0].pipeline().addLast(client);
    pair[1].pipeline().addLast(server);
    loop.register(pair[1]).sync();
    loop.register(pair[0]).sync();
    return pair;
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void bytesWrittenOnOneEndAreReadOnTheOtherInOrder() throws Exception {
    Sink c = new Sink();
    Sink s = new Sink();
    InternalChannel[] p = registered(c, s);
    assertThat(p[1].attachment("k")).isEqualTo("v");
    assertThat(p[0].remoteAddress()).hasToString("envoy://listener/10.0.0.1:80");
    p[0].write(text("hello "));
    p[0].writeAndFlush(text("world")).sync();
    p[1].writeAndFlush(text("back")).sync();
    awaitUntil(() -> s.text.toString().equals("hello world") && c.text.toString().equals("back"));
    p[0].close().sync();
    s.inactive.get(5, TimeUnit.SECONDS);
    c.inactive.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aReaderThatDoesNotReadMakesTheWriterUnwritableThenDrains() throws Exception {
    Sink c = new Sink();
    Sink s = new Sink();
    InternalChannel[] p = registered(c, s);
    p[1].config().setAutoRead(false);
    p[1].eventLoop().submit(() -> { }).sync(); // let the first auto read settle
    long total = 0;
    int chunk = 16 * 1024;
    // bounded: stop at the first unwritable moment or at 8 MiB, whichever is first
    while (p[0].isWritable() && total < 8 * 1024 * 1024) {
      p[0].writeAndFlush(Unpooled.wrappedBuffer(new byte[chunk])); // completes once the reader takes it
      total += chunk;
      p[0].eventLoop().submit(() -> { }).sync(); // let the loop move what the reader has room for
    }
    assertThat(p[0].isWritable()).as("writer paused by a full reader").isFalse();
    assertThat(total).isLessThan(4L * 1024 * 1024);
    long before = s.bytes.get();
    assertThat(before).isLessThan(total);
    p[1].config().setAutoRead(true);
    final long expected = total;
    awaitUntil(() -> s.bytes.get() == expected);
    awaitUntil(p[0]::isWritable);
    p[0].close().sync();
  }

  @Test
  void halfCloseReachesThePeerWhichCanStillAnswer() throws Exception {
    Sink c = new Sink();
    Sink s = new Sink();
    InternalChannel[] p = registered(c, s);
    p[1].config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    p[0].config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    p[0].writeAndFlush(text("request"));
    p[0].shutdownOutput().sync();
    s.inputShutdown.get(5, TimeUnit.SECONDS);
    assertThat(s.text.toString()).isEqualTo("request");
    assertThat(p[1].isActive()).isTrue();
    p[1].writeAndFlush(text("response")).sync();
    p[1].shutdownOutput().sync();
    c.inputShutdown.get(5, TimeUnit.SECONDS);
    assertThat(c.text.toString()).isEqualTo("response");
    // both directions ended: each end closes
    s.inactive.get(5, TimeUnit.SECONDS);
    c.inactive.get(5, TimeUnit.SECONDS);
  }

  @Test
  void withoutHalfClosureTheEndOfInputClosesAndWritesToAClosedPeerFail() throws Exception {
    Sink c = new Sink();
    Sink s = new Sink();
    InternalChannel[] p = registered(c, s);
    p[0].writeAndFlush(text("bye"));
    p[0].shutdownOutput().sync();
    s.inactive.get(5, TimeUnit.SECONDS);
    assertThat(s.text.toString()).isEqualTo("bye");
    assertThat(p[0].writeAndFlush(text("late")).await().isSuccess()).isFalse();
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
