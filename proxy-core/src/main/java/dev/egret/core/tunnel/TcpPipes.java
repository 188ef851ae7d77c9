package dev.egret.core.tunnel;

import static java.util.Objects.requireNonNull;

import dev.egret.core.pool.Connector;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.tls.TransportFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * {@link PipeOpener}s over plain TCP, optionally wrapped in TLS: the default transport of a CONNECT
 * route's cluster and of {@code tcp_proxy}. The connection shares the caller's event loop, reads
 * only when asked and allows half-closure: a FIN from the peer is {@link BytePipe.Listener#onEnd()},
 * {@link BytePipe#halfClose()} is {@code shutdownOutput()} (or a TLS close_notify) and
 * {@link BytePipe#reset()} closes with {@code SO_LINGER 0}, which sends an RST.
 */
public final class TcpPipes {
  private TcpPipes() {}

  /**
   * @param tls makes the TLS handler for one connection, or null for plaintext
   * @param connectTimeoutMillis TCP connect plus TLS handshake budget
   */
  public static PipeOpener opener(InetSocketAddress address, Function<ByteBufAllocator, SslHandler> tls,
      long connectTimeoutMillis) {
    requireNonNull(address, "address");
    return opener(Connector.tcp(address), tls, connectTimeoutMillis);
  }

  /** Pipes over what {@code connector} opens: a TCP socket, or an in-process internal listener connection. */
  public static PipeOpener opener(Connector connector, Function<ByteBufAllocator, SslHandler> tls,
      long connectTimeoutMillis) {
    requireNonNull(connector, "connector");
    return (loop, listener, callback) -> open(loop, connector, tls, connectTimeoutMillis, listener, callback);
  }

  /** Envoy's reset reason for a failed connect (timeout, local or remote connection failure). */
  public static ResetReason resetReason(Throwable cause) {
    return switch (TransportFailure.resetReason(cause)) {
      case "connection timeout" -> ResetReason.CONNECTION_TIMEOUT;
      case "local connection failure" -> ResetReason.LOCAL_CONNECTION_FAILURE;
      default -> ResetReason.REMOTE_CONNECTION_FAILURE;
    };
  }

  private static PipeOpener.Cancellable open(EventLoop loop, Connector connector,
      Function<ByteBufAllocator, SslHandler> tls, long connectTimeoutMillis, BytePipe.Listener listener,
      PipeOpener.Callback callback) {
    TcpPipe pipe = new TcpPipe(listener);
    ChannelFuture f = connector.connect(loop, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(32 * 1024, 256 * 1024));
        if (tls != null) {
          ch.pipeline().addLast("egret-tls", tls.apply(ch.alloc()));
        }
        ch.pipeline().addLast("egret-pipe", pipe);
      }
    }, connectTimeoutMillis);
    boolean[] cancelled = new boolean[1];
    f.addListener((ChannelFuture cf) -> {
      if (cancelled[0]) {
        cf.channel().close();
        return;
      }
      if (!cf.isSuccess()) {
        callback.onFailure(resetReason(cf.cause()), TransportFailure.reason(cf.cause()));
        return;
      }
      Channel ch = cf.channel();
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      if (ssl == null) {
        pipe.opened(ch, callback);
        return;
      }
      ch.read(); // the handshake needs inbound bytes with autoRead off
      ssl.handshakeFuture().addListener(hf -> {
        if (cancelled[0]) {
          ch.close();
        } else if (!hf.isSuccess()) {
          ch.close();
          callback.onFailure(ResetReason.REMOTE_CONNECTION_FAILURE, TransportFailure.reason(hf.cause()));
        } else {
          pipe.opened(ch, callback);
        }
      });
    });
    return () -> {
      cancelled[0] = true;
      f.cancel(false);
      if (f.isSuccess()) {
        f.channel().close();
      }
    };
  }

  /** The handler at the end of the connection's pipeline, and the pipe it exposes. */
  private static final class TcpPipe extends ChannelInboundHandlerAdapter implements BytePipe {
    private final Listener listener;
    private Channel ch;
    private boolean open;
    private boolean inputEnded;
    private boolean outputEnded;
    private boolean aborted;
    private boolean closedReported;

    TcpPipe(Listener listener) {
      this.listener = requireNonNull(listener, "listener");
    }

    void opened(Channel ch, PipeOpener.Callback callback) {
      this.ch = ch;
      if (!ch.isActive()) {
        callback.onFailure(ResetReason.REMOTE_CONNECTION_FAILURE, "connection closed during setup");
        return;
      }
      open = true;
      callback.onOpen(this);
    }

    @Override
    public void write(ByteBuf data) {
      if (ch == null || outputEnded || aborted) {
        data.release();
        return;
      }
      ch.write(data, ch.voidPromise());
    }

    @Override
    public void flush() {
      if (ch != null) {
        ch.flush();
      }
    }

    @Override
    public boolean isWritable() {
      return ch != null && ch.isWritable();
    }

    @Override
    public void read() {
      if (ch != null && !inputEnded) {
        ch.read();
      }
    }

    @Override
    public void halfClose() {
      if (ch == null || outputEnded || aborted) {
        return;
      }
      outputEnded = true;
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ch.flush();
        ssl.closeOutbound();
      } else if (ch instanceof DuplexChannel d) {
        ch.flush();
        d.shutdownOutput();
      }
      if (inputEnded) {
        ch.close();
      }
    }

    @Override
    public void close() {
      if (ch != null && !aborted) {
        outputEnded = true;
        ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> ch.close());
      }
    }

    @Override
    public void reset() {
      if (ch == null || aborted) {
        return;
      }
      aborted = true;
      closedReported = true; // the holder asked for it: nothing to report back
      try {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException ignored) {
        // an option the transport does not support: a normal close is the best we can do
      }
      ch.close();
    }

    @Override
    public InetSocketAddress localAddress() {
      return ch != null && ch.localAddress() instanceof InetSocketAddress a ? a : null; // null in process
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!open || aborted || !(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      listener.onData(buf);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        if (!inputEnded) {
          inputEnded = true;
          if (open && !aborted) {
            listener.onEnd();
          }
          if (outputEnded) {
            ctx.close();
          }
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (open && !aborted) {
        listener.onWritabilityChanged(ctx.channel().isWritable());
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (open && !closedReported) {
        closedReported = true;
        listener.onClosed(inputEnded && outputEnded);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      inputEnded = false; // an error is never a graceful end
      ctx.close();
    }
  }
}
