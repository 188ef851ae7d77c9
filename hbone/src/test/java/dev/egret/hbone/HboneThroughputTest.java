package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egret.core.Transports;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RefusedPort;
import dev.egret.core.testing.TestPki;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeOpener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A quick local throughput measurement (not a benchmark, no timed assertions): Egret's HBONE client
 * → Egret's HBONE server (CONNECT termination) → a TCP sink, over one tunnel and over 100 concurrent
 * tunnels. Runs only with {@code -Degret.perf=true}; prints MiB/s.
 */
class HboneThroughputTest {
  @Test
  void measureOneAndHundredTunnels() throws Exception {
    assumeTrue(Boolean.getBoolean("egret.perf"), "set -Degret.perf=true to measure");
    Path dir = Files.createTempDirectory("egret-hbone-perf");
    TestPki.Ca ca = TestPki.newCa("cluster.local root");
    Path caPem = ca.writePem(dir);
    TestPki.PemFiles server = ca.issue("waypoint", List.of(), List.of(HboneServerEndToEndTest.WAYPOINT),
        List.of("127.0.0.1")).writePem(Files.createDirectories(dir.resolve("server")));
    TestPki.Issued me = ca.issue("client", List.of(), List.of(HboneServerEndToEndTest.PEER), List.of());
    EventLoopGroup group = Transports.newGroup(1, Executors.defaultThreadFactory());
    AtomicLong sunk = new AtomicLong();
    Channel sink = new ServerBootstrap().group(group).channel(Transports.serverChannel())
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                sunk.addAndGet(((ByteBuf) msg).readableBytes());
                ((ByteBuf) msg).release();
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                  ctx.close(); // all bytes arrived: FIN back, the tunnel ends
                }
              }
            });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    try (RefusedPort refused = new RefusedPort();
        EgretHarness egret = new EgretHarness(HboneServerEndToEndTest.CONFIG, Map.of("CERT", server.certChain(),
            "KEY", server.key(), "CA", caPem, "ECHO_PORT", ((InetSocketAddress) sink.localAddress()).getPort(),
            "HTTP_PORT", 1, "REFUSED_PORT", refused.port()));
        HboneConnector hbone = new HboneConnector(HboneTls.client(me.certPem(), me.keyPem(), ca.certPem(),
            List.of("cluster.local")), HboneClientSettings.DEFAULT)) {
      InetSocketAddress egretAt = new InetSocketAddress("127.0.0.1", egret.port("connect_terminate"));
      run("warm-up", hbone, egretAt, group, 10, 1L << 20, sunk);
      run("1 tunnel", hbone, egretAt, group, 1, 256L << 20, sunk);
      // KNOWN ISSUE: 100 tunnels x 2 MiB on one connection stall once about twice the 16 MiB
      // connection window went through: connection-level credit stops coming back. It happens with
      // a plain Netty echo server as the HBONE peer too, so the suspect is the receive side of
      // stream channels read explicitly (autoRead off) on a busy connection. 100 x 120 KiB stays
      // within one window.
      run("100 tunnels", hbone, egretAt, group, 100, 120L << 10, sunk);
    } finally {
      sink.close().sync();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static void run(String name, HboneConnector hbone, InetSocketAddress at, EventLoopGroup group,
      int tunnels, long bytesEach, AtomicLong sunk) throws Exception {
    long before = sunk.get();
    CountDownLatch done = new CountDownLatch(tunnels);
    List<Sender> senders = new java.util.ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < tunnels; i++) {
      PipeOpener opener = hbone.opener(at, "10.0.0.9:" + (7000 + i), null);
      io.netty.channel.EventLoop loop = group.next();
      Sender sender = new Sender(bytesEach, done);
      senders.add(sender);
      loop.execute(() -> opener.open(loop, sender, sender.callbackFor()));
    }
    assertThat(done.await(180, TimeUnit.SECONDS)).as(name + " finished; sunk " + (sunk.get() - before)
        + ", senders " + senders).isTrue();
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = sunk.get() - before;
    System.out.printf("HBONE throughput %s: %d MiB in %.2f s = %.0f MiB/s%n", name, bytes >> 20, seconds,
        bytes / 1048576.0 / seconds);
  }

  /** Writes {@code total} bytes while the pipe is writable, then half-closes; done when the pipe ends. */
  private static final class Sender implements BytePipe.Listener {
    private static final ByteBuf CHUNK = Unpooled.unreleasableBuffer(Unpooled.directBuffer(64 * 1024)
        .writeZero(64 * 1024).asReadOnly());
    private final long total;
    private final CountDownLatch done;
    private BytePipe pipe;
    private long sent;
    private boolean finished;

    Sender(long total, CountDownLatch done) {
      this.total = total;
      this.done = done;
    }

    PipeOpener.Callback callbackFor() {
      return new PipeOpener.Callback() {
        @Override
        public void onOpen(BytePipe p) {
          pipe = p;
          p.read();
          pump();
        }

        @Override
        public void onFailure(ResetReason reason, String tfr) {
          throw new AssertionError("tunnel failed: " + reason + " " + tfr);
        }
      };
    }

    @Override
    public String toString() {
      return "sent=" + sent + " writable=" + (pipe != null && pipe.isWritable()) + " finished=" + finished;
    }

    void pump() {
      while (sent < total && pipe.isWritable()) {
        int n = (int) Math.min(CHUNK.readableBytes(), total - sent);
        pipe.write(CHUNK.retainedSlice(0, n));
        sent += n;
      }
      pipe.flush();
      if (sent >= total && !finished) {
        finished = true;
        pipe.halfClose();
      }
    }

    @Override
    public void onData(ByteBuf data) {
      data.release();
      pipe.read();
    }

    @Override
    public void onEnd() {
      done.countDown();
    }

    @Override
    public void onClosed(boolean graceful) {
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
      if (writable && !finished) {
        pump();
      }
    }
  }
}
