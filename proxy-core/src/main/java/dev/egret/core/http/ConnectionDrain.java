package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
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
      Http2FrameCodec codec = ch.pipeline().get(Http2FrameCodec.class);
      if (ch.isActive() && codec != null) {
        // GOAWAY naming the last stream the client opened: those streams finish, then the socket closes
        Http2Connection c = codec.connection();
        c.addListener(new Http2ConnectionAdapter() {
          @Override
          public void onStreamClosed(Http2Stream stream) {
            if (c.numActiveStreams() == 0) {
              ch.close();
            }
          }
        });
        ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(f -> {
          if (c.numActiveStreams() == 0) {
            ch.close();
          }
        });
      }
    });
  }

  /** Whether {@code ch} is draining. */
  public static boolean isDraining(Channel ch) {
    return ch.hasAttr(DRAINING) && Boolean.TRUE.equals(ch.attr(DRAINING).get());
  }
}
