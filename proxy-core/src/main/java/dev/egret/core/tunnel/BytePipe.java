package dev.egret.core.tunnel;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * One bidirectional byte stream to an upstream: a TCP connection, an HBONE (HTTP/2 CONNECT) stream,
 * or an in-process connection to an internal listener. Whoever holds it (the CONNECT router, a
 * {@code tcp_proxy}) drives it the same way, whatever carries the bytes.
 *
 * <p>Reads are explicit: after {@link Listener#onData} the holder calls {@link #read()} when it can
 * take more (its own side is writable), which is how backpressure crosses the proxy. Every method
 * must be called on the event loop the pipe was opened on; listener callbacks arrive there too.
 */
public interface BytePipe {
  /** Queues bytes for the peer; the pipe takes ownership of {@code data}. Call {@link #flush()} after. */
  void write(ByteBuf data);

  void flush();

  /** False while queued bytes exceed the high-water mark; {@link Listener#onWritabilityChanged} says when it clears. */
  boolean isWritable();

  /** Asks for the next bytes from the peer (one read's worth). */
  void read();

  /**
   * Ends our direction after the queued bytes: a TCP FIN ({@code shutdownOutput}), or an empty DATA
   * frame with END_STREAM. The peer's direction stays open until it ends too.
   */
  void halfClose();

  /**
   * Closes both directions without an error once queued bytes are written (a normal close, never an
   * RST). Used when the other side ended cleanly in both directions.
   */
  void close();

  /** Aborts: a TCP RST (SO_LINGER 0), or RST_STREAM(CONNECT_ERROR). Queued bytes are dropped. */
  void reset();

  /** Our side's address of the underlying connection, or null when there is none (in-process). */
  InetSocketAddress localAddress();

  /** What the pipe reports, on its event loop. */
  interface Listener {
    /** Bytes from the peer; the listener owns (and must release) {@code data}. */
    void onData(ByteBuf data);

    /** The peer ended its direction (TCP FIN, END_STREAM, RST_STREAM NO_ERROR/CANCEL). */
    void onEnd();

    /**
     * The pipe is gone: the peer reset it or the connection failed after it was established. Called
     * at most once; also after {@link #onEnd()} when the close was not graceful.
     *
     * @param graceful true when both directions had ended and the connection then closed normally
     */
    void onClosed(boolean graceful);

    /** {@link BytePipe#isWritable()} changed. */
    void onWritabilityChanged(boolean writable);
  }
}
