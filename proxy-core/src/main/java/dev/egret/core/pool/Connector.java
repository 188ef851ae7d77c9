package dev.egret.core.pool;

import static java.util.Objects.requireNonNull;

import dev.egret.core.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;

/**
 * Opens one upstream connection on an event loop: a TCP socket, or an in-process connection to an
 * internal listener. The returned future completes when the connection can carry bytes (before any
 * TLS handshake, which {@code initializer} installs). Connections start with auto-read off and the
 * pool's write-buffer water marks, whatever carries them.
 */
@FunctionalInterface
public interface Connector {
  /** The write-buffer water marks of upstream connections. */
  WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 1024 * 1024);

  ChannelFuture connect(EventLoop loop, ChannelHandler initializer, long connectTimeoutMillis);

  /** A TCP connection to {@code address}. */
  static Connector tcp(InetSocketAddress address) {
    requireNonNull(address, "address");
    return (loop, initializer, timeoutMillis) -> new Bootstrap()
        .group(loop)
        .channel(Transports.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .handler(initializer)
        .connect(address);
  }
}
