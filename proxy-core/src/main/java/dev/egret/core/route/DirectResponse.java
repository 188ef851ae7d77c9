package dev.egret.core.route;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A compiled {@code DirectResponseAction}: the status (200–599) and the body (empty when unset).
 * The body is held once, read-only; {@link #body()} hands out independent views of it.
 */
public final class DirectResponse {
  private final int status;
  private final byte[] bytes;
  private final ByteBuf body;

  DirectResponse(int status, byte[] bytes) {
    this.status = status;
    this.bytes = bytes.clone();
    this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(this.bytes).asReadOnly());
  }

  public int status() {
    return status;
  }

  /** A read-only, never-released view of the body, with its own indices; safe to write to a channel. */
  public ByteBuf body() {
    return body.duplicate();
  }

  /** A copy of the body bytes. */
  public byte[] bodyBytes() {
    return bytes.clone();
  }

  public int bodyLength() {
    return bytes.length;
  }
}
