package dev.egret.core.listener;

import io.netty.buffer.ByteBuf;

/**
 * One compiled listener filter ({@code tls_inspector}, {@code http_inspector}, {@code original_dst},
 * {@code proxy_protocol}). Stages run in configuration order on the connection's event loop before a
 * filter chain is chosen; each one records what it learns in the {@link ConnectionFacts}. A stage
 * that needs the first bytes of the connection returns {@link Result#NEED_DATA} from
 * {@link #onAccept} and is then given everything received so far until it decides. Inspectors only
 * peek; a stage that owns its bytes ({@code proxy_protocol}) consumes them by advancing the reader
 * index, and the chain never sees them. Implementations are immutable and shared by every connection
 * of the listener.
 */
public interface ListenerFilterStage {
  /** What the connection does after a stage has run. */
  enum Result {
    /** The stage is done: run the next one. */
    CONTINUE,
    /** Call {@link #onData} again when more bytes arrive. */
    NEED_DATA,
    /** Close the connection (a malformed or missing header). */
    CLOSE
  }

  /** The stage's name in config ({@code envoy.filters.listener.…}), for errors and logs. */
  String name();

  /** Called once when the stage's turn comes. */
  Result onAccept(ConnectionFacts facts);

  /**
   * Called with the bytes received so far (reader index at the first byte no earlier stage
   * consumed) while the stage asks for data.
   *
   * @param endOfStream the peer closed its side: no more bytes will come
   */
  default Result onData(ByteBuf buffered, ConnectionFacts facts, boolean endOfStream) {
    return Result.CONTINUE;
  }
}
