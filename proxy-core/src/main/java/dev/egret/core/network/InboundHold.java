package dev.egret.core.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Holds what a connection delivers (bytes, end-of-input events) while its network filters run, and
 * replays it, in order, to the handlers after it when {@link #release released}. The connection does
 * not read meanwhile, so what is held is bounded by what was already read.
 */
final class InboundHold extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Object> held = new ArrayDeque<>(2);
  private ChannelHandlerContext ctx;
  private boolean releasing;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    held.add(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // held: the read completes when it is replayed
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    held.add(new Event(evt));
  }

  /** Removes the hold; what it held goes on to the next handlers. */
  void release() {
    if (ctx != null && !ctx.isRemoved()) {
      releasing = true;
      ctx.pipeline().remove(this);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    boolean any = false;
    Object m;
    while ((m = held.poll()) != null) {
      if (!releasing) {
        if (!(m instanceof Event)) {
          ReferenceCountUtil.release(m);
        }
        continue;
      }
      if (m instanceof Event e) {
        ctx.fireUserEventTriggered(e.event);
      } else {
        any = true;
        ctx.fireChannelRead(m);
      }
    }
    if (any) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Object m;
    while ((m = held.poll()) != null) {
      if (!(m instanceof Event)) {
        ReferenceCountUtil.release(m);
      }
    }
    ctx.fireChannelInactive();
  }

  private record Event(Object event) {}
}
