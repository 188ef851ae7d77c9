package dev.egret.core.tunnel;

import static java.util.Objects.requireNonNull;

import dev.egret.core.internal.InternalAddress;
import dev.egret.core.internal.InternalChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.Map;

/**
 * Shows a {@link BytePipe} (an HBONE stream, say) as a Netty {@link Channel} of bytes, for code that
 * proxies between channels ({@code tcp_proxy}). It is an in-process {@link InternalChannel} pair: the
 * caller gets one end; on the other end this handler copies bytes into the pipe and the pipe's bytes
 * back, with backpressure both ways (each side reads only while the other can take more) and
 * half-close both ways (end of input on the channel is {@link BytePipe#halfClose()}, the pipe's end
 * is {@code shutdownOutput()}).
 */
public final class PipeBridge extends ChannelInboundHandlerAdapter implements BytePipe.Listener {
  private BytePipe pipe; // set once the pipe is open
  private Channel ch; // the bridge's end
  private boolean closed;

  private PipeBridge() {}

  /** A bridge whose pipe comes later ({@link #attach}); open the pipe with it as the listener. */
  public static PipeBridge create() {
    return new PipeBridge();
  }

  /**
   * Joins the open {@code pipe} to a new channel pair on {@code loop} and returns the caller's end
   * (auto-read off, half-closure allowed).
   */
  public Channel attach(EventLoop loop, BytePipe pipe, String name) {
    this.pipe = requireNonNull(pipe, "pipe");
    InternalChannel[] pair = InternalChannel.pair(new InternalAddress("tunnel_client", ""),
        new InternalAddress(name, ""), Map.of());
    InternalChannel outer = pair[0];
    InternalChannel inner = pair[1];
    outer.config().setAutoRead(false);
    outer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    inner.config().setAutoRead(false);
    inner.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    inner.pipeline().addLast("egret-pipe-bridge", this);
    loop.register(inner);
    loop.register(outer);
    return outer;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ch = ctx.channel();
    ch.read(); // what the proxy writes
    pipe.read(); // what the peer sends
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    pipe.write((ByteBuf) msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    pipe.flush();
    if (pipe.isWritable()) {
      ch.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      pipe.halfClose();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ch.isWritable()) {
      pipe.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!closed) {
      closed = true;
      pipe.close(); // the proxy closed its end: nothing more either way
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  // ---- the pipe's side ----

  @Override
  public void onData(ByteBuf data) {
    ch.writeAndFlush(data, ch.voidPromise());
    if (ch.isWritable()) {
      pipe.read();
    }
  }

  @Override
  public void onEnd() {
    ((InternalChannel) ch).shutdownOutput();
  }

  @Override
  public void onClosed(boolean graceful) {
    closed = true;
    if (ch != null) {
      ch.close();
    }
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    if (writable && ch != null) {
      ch.read();
    }
  }
}
