package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.AttributeKey;

/**
 * Drains a downstream connection whose listener was changed or removed, as Envoy does: an HTTP/2
 * connection gets a GOAWAY at once and closes when its open streams have finished; an HTTP/1.1
 * connection answers its next response with {@code Connection: close} and closes after it. A
 * connection still in its TLS handshake or protocol sniffing is marked and behaves the same once its
 * codec is installed. Idle HTTP/1.1 connections are left to the listener's drain deadline.
 */
public final class ConnectionDrain {
  /** Set on a connection that must not outlive its current (or next) response. */
  public static final AttributeKey<Boolean> DRAINING = AttributeKey.valueOf("egret.draining");

  private ConnectionDrain() {}

  /** Starts draining {@code ch}; any thread (the work runs on the channel's loop). */
  public static void drain(Channel ch) {
    requireNonNull(ch, "ch");
    ch.eventLoop().execute(() -> {
      ch.attr(DRAINING).set(Boolean.TRUE);
      if (ch.isActive() && ch.pipeline().get(Http2FrameCodec.class) != null) {
        // the HTTP/2 codec's close is graceful: GOAWAY with the last stream id, then waits for the
        // streams it let in before closing the socket
        ch.close();
      }
    });
  }

  /** Whether {@code ch} is draining. */
  public static boolean isDraining(Channel ch) {
    return ch.hasAttr(DRAINING) && Boolean.TRUE.equals(ch.attr(DRAINING).get());
  }
}
