package dev.egret.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * One end of an in-process connection: what Envoy calls a user-space socket, joining a cluster's
 * upstream connection to an internal listener without a loopback socket. Both ends live on the same
 * event loop, so bytes move between them without locks or thread hops.
 *
 * <p>It behaves as a TCP socket does for the code above it: bytes written on one end are read on the
 * other, in order; reading is driven by {@code read()} (auto-read or not); half-close works as
 * {@link DuplexChannel#shutdownOutput()} on one end and a {@link ChannelInputShutdownEvent} (with
 * {@code ALLOW_HALF_CLOSURE}) or a close on the other; closing one end closes the other once it has
 * read what was sent. Backpressure is real: the reader's queue holds at most {@link #QUEUE_LIMIT}
 * bytes, past which the writer's bytes wait in its outbound buffer and its writability falls as a
 * socket's does when the kernel buffer is full.
 */
public final class InternalChannel extends AbstractChannel implements DuplexChannel {
  /** Bytes a reader may have queued before the writer's bytes wait in its own outbound buffer. */
  static final int QUEUE_LIMIT = 64 * 1024;
  private static final ChannelMetadata METADATA = new ChannelMetadata(false);
  /** Marks the peer's end of output in the inbound queue. */
  private static final Object EOF = new Object();

  private final HalfClosureConfig config = new HalfClosureConfig(this);
  private final SocketAddress local;
  private final SocketAddress remote;
  private final Map<Object, Object> attachments;
  private InternalChannel peer;
  private final ArrayDeque<Object> inbound = new ArrayDeque<>();
  private long queuedBytes;
  private boolean open = true;
  private boolean readPending;
  private boolean deliveryScheduled;
  private boolean inputShutdown;
  private boolean outputShutdown;
  private boolean shutdownWhenFlushed;

  private InternalChannel(SocketAddress local, SocketAddress remote, Map<Object, Object> attachments) {
    super(null);
    this.local = local;
    this.remote = remote;
    this.attachments = attachments;
  }

  /**
   * Makes a connected pair (neither registered yet): {@code [0]} is the client end, {@code [1]} the
   * server end. {@code attachments} travel with the server end (filter state and metadata the
   * client passes to the listener) and are readable with {@link #attachment}.
   */
  public static InternalChannel[] pair(SocketAddress clientAddress, SocketAddress serverAddress,
      Map<Object, Object> attachments) {
    InternalChannel client = new InternalChannel(clientAddress, serverAddress, Map.of());
    InternalChannel server = new InternalChannel(serverAddress, clientAddress, Map.copyOf(attachments));
    client.peer = server;
    server.peer = client;
    return new InternalChannel[] {client, server};
  }

  /** What the client end attached for the listener, or null. */
  public Object attachment(Object key) {
    return attachments.get(key);
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new AbstractUnsafe() {
      @Override
      public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException("an internal channel is connected when made"));
      }
    };
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return true; // no I/O handler: both ends run plain tasks on their loop
  }

  @Override
  protected SocketAddress localAddress0() {
    return local;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return remote;
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
    throw new UnsupportedOperationException("an internal channel cannot bind");
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    releaseInbound();
    InternalChannel p = peer;
    if (p != null && p.open) {
      // the peer reads what is queued, then sees the end and closes, as after a TCP FIN it never answers
      p.eventLoop().execute(() -> p.enqueueEof());
    }
  }

  private void releaseInbound() {
    Object m;
    while ((m = inbound.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    queuedBytes = 0;
  }

  @Override
  protected void doBeginRead() {
    readPending = true;
    scheduleDelivery();
  }

  @Override
  protected Object filterOutboundMessage(Object msg) {
    if (msg instanceof ByteBuf) {
      return msg;
    }
    throw new UnsupportedOperationException("an internal channel carries ByteBufs, not " + msg.getClass().getName());
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) throws Exception {
    InternalChannel p = peer;
    if (outputShutdown) {
      throw new ClosedChannelException();
    }
    if (!p.open || p.inputShutdown) {
      throw new ClosedChannelException(); // as a write to a socket whose peer is gone
    }
    boolean moved = false;
    Object m;
    // (the end of output, when asked for, follows the last byte: see sendEof)
    while ((m = in.current()) != null && p.queuedBytes < QUEUE_LIMIT) {
      ByteBuf buf = (ByteBuf) m;
      p.queuedBytes += buf.readableBytes();
      p.inbound.add(buf.retain());
      in.remove();
      moved = true;
    }
    if (moved) {
      p.scheduleDelivery();
    }
    if (in.isEmpty() && shutdownWhenFlushed) {
      sendEof();
    }
  }

  private void sendEof() {
    shutdownWhenFlushed = false;
    outputShutdown = true;
    if (peer.open) {
      peer.inbound.add(EOF);
      peer.scheduleDelivery();
    }
  }

  private void enqueueEof() {
    if (open) {
      inbound.add(EOF);
      scheduleDelivery();
    }
  }

  private void scheduleDelivery() {
    if (deliveryScheduled || !readPending || inbound.isEmpty()) {
      return;
    }
    deliveryScheduled = true;
    eventLoop().execute(this::deliver);
  }

  /** Hands queued bytes to the pipeline: one read's worth, then read-complete, as a socket read does. */
  private void deliver() {
    deliveryScheduled = false;
    if (!open || !readPending || inbound.isEmpty()) {
      return; // a read asked for while nothing is queued stays pending until bytes arrive
    }
    readPending = false;
    boolean eof = false;
    boolean any = false;
    Object m;
    while ((m = inbound.poll()) != null) {
      if (m == EOF) {
        eof = true;
        break;
      }
      ByteBuf buf = (ByteBuf) m;
      queuedBytes -= buf.readableBytes();
      any = true;
      pipeline().fireChannelRead(buf);
    }
    if (any) {
      pipeline().fireChannelReadComplete();
      // room again: the writer's waiting bytes may move
      InternalChannel p = peer;
      if (p.open && !p.unsafe().outboundBuffer().isEmpty()) {
        p.unsafe().flush();
      }
    }
    if (eof) {
      endOfInput();
    }
  }

  private void endOfInput() {
    if (!config.allowHalfClosure()) {
      unsafe().close(unsafe().voidPromise());
      return;
    }
    inputShutdown = true;
    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
    if (outputShutdown || !peer.open) { // nothing more can be said either way
      unsafe().close(unsafe().voidPromise());
    }
  }

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  // ---- half-close ----

  @Override
  public boolean isInputShutdown() {
    return inputShutdown || !open;
  }

  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    onLoop(() -> {
      inputShutdown = true;
      releaseInbound();
      promise.setSuccess();
    });
    return promise;
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShutdown || !open;
  }

  /** Ends this side's output once what was written before has moved to the peer (a TCP FIN). */
  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    onLoop(() -> {
      if (!open || outputShutdown || shutdownWhenFlushed) {
        promise.trySuccess();
        return;
      }
      if (unsafe().outboundBuffer() == null || unsafe().outboundBuffer().isEmpty()) {
        sendEof();
      } else {
        shutdownWhenFlushed = true; // doWrite sends the end after the bytes still waiting
      }
      promise.trySuccess();
      if (inputShutdown) {
        unsafe().close(unsafe().voidPromise());
      }
    });
    return promise;
  }

  @Override
  public boolean isShutdown() {
    return isInputShutdown() && isOutputShutdown();
  }

  @Override
  public ChannelFuture shutdown() {
    return shutdown(newPromise());
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    return close(promise);
  }

  private void onLoop(Runnable r) {
    if (eventLoop().inEventLoop()) {
      r.run();
    } else {
      eventLoop().execute(r);
    }
  }

  /** A config that knows {@link ChannelOption#ALLOW_HALF_CLOSURE}, as socket configs do. */
  private static final class HalfClosureConfig extends DefaultChannelConfig {
    private volatile boolean allowHalfClosure;

    HalfClosureConfig(InternalChannel ch) {
      super(ch);
    }

    boolean allowHalfClosure() {
      return allowHalfClosure;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
      return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
      if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
        return (T) Boolean.valueOf(allowHalfClosure);
      }
      return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
      if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
        allowHalfClosure = (Boolean) value;
        return true;
      }
      return super.setOption(option, value);
    }
  }
}
