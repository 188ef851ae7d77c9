package dev.egret.hbone.testing;

import dev.egret.core.pool.ResetReason;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeOpener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Opens one {@link BytePipe} for a test and records what it reports: "open", "failed:&lt;reason&gt;|&lt;tfr&gt;",
 * "data:&lt;text&gt;", "end", "closed:&lt;graceful&gt;". Reads continuously; calls go to the pipe's loop.
 */
public final class PipeProbe implements BytePipe.Listener, PipeOpener.Callback {
  public final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final EventLoop loop;
  private volatile BytePipe pipe;

  private PipeProbe(EventLoop loop) {
    this.loop = loop;
  }

  public static PipeProbe open(PipeOpener opener, EventLoop loop) {
    PipeProbe p = new PipeProbe(loop);
    loop.execute(() -> opener.open(loop, p, p));
    return p;
  }

  @Override
  public void onOpen(BytePipe pipe) {
    this.pipe = pipe;
    events.add("open");
    pipe.read();
  }

  @Override
  public void onFailure(ResetReason reason, String transportFailureReason) {
    events.add("failed:" + reason.text() + "|" + transportFailureReason);
  }

  @Override
  public void onData(ByteBuf data) {
    events.add("data:" + data.toString(StandardCharsets.UTF_8));
    data.release();
    pipe.read();
  }

  @Override
  public void onEnd() {
    events.add("end");
  }

  @Override
  public void onClosed(boolean graceful) {
    events.add("closed:" + graceful);
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
  }

  public String next() throws InterruptedException {
    String e = events.poll(10, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no pipe event within 10 s");
    }
    return e;
  }

  /** Reads data events until {@code n} characters arrived. */
  public String readData(int n) throws InterruptedException {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < n) {
      String e = next();
      if (!e.startsWith("data:")) {
        throw new AssertionError("expected data, got " + e + " after " + sb.length() + " chars");
      }
      sb.append(e, 5, e.length());
    }
    return sb.toString();
  }

  public void send(String text) {
    run(p -> {
      p.write(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      p.flush();
    });
  }

  public void halfClose() {
    run(BytePipe::halfClose);
  }

  public void reset() {
    run(BytePipe::reset);
  }

  private void run(java.util.function.Consumer<BytePipe> action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      action.accept(pipe);
      done.complete(null);
    });
    done.join();
  }
}
