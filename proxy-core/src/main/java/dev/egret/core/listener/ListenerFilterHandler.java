package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a listener's filters on a new connection, in order, then hands the connection and what the
 * filters learned to {@code onDone} (which selects and installs the filter chain). Stages that need
 * no bytes run at once; when one needs bytes this handler buffers the connection's first bytes and
 * offers them to it until it decides. Once every stage has run, the handler removes itself and the
 * bytes no stage consumed flow on, in order, to what {@code onDone} installed after it.
 *
 * <p>A stage that asks to close, the peer closing first, or the listener-filter timeout (unless
 * {@code continue_on_listener_filters_timeout}) closes the connection; {@code onTimeout} is told of
 * a timeout so that it can be counted.
 */
public final class ListenerFilterHandler extends ByteToMessageDecoder {
  /** Selects and installs the chain once the filters are done (on the connection's event loop). */
  @FunctionalInterface
  public interface OnDone {
    void accept(Channel ch, ConnectionFacts facts);
  }

  private final ListenerFilters filters;
  private final ConnectionFacts facts;
  private final OnDone onDone;
  private final Runnable onTimeout;
  private int next; // index of the stage waiting for data
  private boolean done;
  private ScheduledFuture<?> timer;

  private ListenerFilterHandler(ListenerFilters filters, ConnectionFacts facts, OnDone onDone, Runnable onTimeout,
      int next) {
    this.filters = filters;
    this.facts = facts;
    this.onDone = onDone;
    this.onTimeout = onTimeout;
    this.next = next;
  }

  /**
   * Runs {@code filters} on {@code ch}: synchronously when no stage needs bytes, otherwise by adding
   * this handler to the end of the pipeline and turning reading on.
   */
  public static void start(Channel ch, ListenerFilters filters, ConnectionFacts facts, OnDone onDone,
      Runnable onTimeout) {
    requireNonNull(filters, "filters");
    requireNonNull(facts, "facts");
    requireNonNull(onDone, "onDone");
    List<ListenerFilters.Entry> stages = filters.stages();
    for (int i = 0; i < stages.size(); i++) {
      ListenerFilters.Entry e = stages.get(i);
      if (e.disabled(facts)) {
        continue;
      }
      switch (e.stage().onAccept(facts)) {
        case CONTINUE -> { }
        case CLOSE -> {
          ch.close();
          return;
        }
        case NEED_DATA -> {
          ch.pipeline().addLast("egret-listener-filters",
              new ListenerFilterHandler(filters, facts, onDone, onTimeout, i));
          ch.config().setAutoRead(true);
          return;
        }
      }
    }
    onDone.accept(ch, facts);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (filters.timeoutMillis() > 0) {
      timer = ctx.executor().schedule(() -> timedOut(ctx), filters.timeoutMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    run(ctx, in, false);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!done) {
      run(ctx, in, true);
      if (!done) {
        ctx.close();
      }
    }
  }

  private void run(ChannelHandlerContext ctx, ByteBuf in, boolean endOfStream) {
    if (done) {
      return; // closing: the decoder may offer the buffered bytes once more
    }
    List<ListenerFilters.Entry> stages = filters.stages();
    ListenerFilterStage.Result r = stages.get(next).stage().onData(in, facts, endOfStream);
    while (true) {
      switch (r) {
        case NEED_DATA -> {
          if (endOfStream) {
            finishWithClose(ctx);
          }
          return;
        }
        case CLOSE -> {
          finishWithClose(ctx);
          return;
        }
        case CONTINUE -> { }
      }
      next++;
      while (next < stages.size() && stages.get(next).disabled(facts)) {
        next++;
      }
      if (next >= stages.size()) {
        finish(ctx);
        return;
      }
      ListenerFilterStage stage = stages.get(next).stage();
      r = stage.onAccept(facts);
      if (r == ListenerFilterStage.Result.NEED_DATA) {
        r = stage.onData(in, facts, endOfStream);
      }
    }
  }

  private void finishWithClose(ChannelHandlerContext ctx) {
    done = true;
    cancelTimer();
    ctx.close();
  }

  private void finish(ChannelHandlerContext ctx) {
    done = true;
    cancelTimer();
    Channel ch = ctx.channel();
    onDone.accept(ch, facts);
    if (ctx.pipeline().context(this) != null) {
      ctx.pipeline().remove(this); // the unconsumed bytes go on to what onDone installed
    }
  }

  private void timedOut(ChannelHandlerContext ctx) {
    if (done || ctx.isRemoved()) {
      return;
    }
    if (onTimeout != null) {
      onTimeout.run();
    }
    if (filters.continueOnTimeout()) {
      finish(ctx);
    } else {
      done = true;
      ctx.close();
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTimer();
    super.channelInactive(ctx);
  }
}
