package dev.egret.core.tcp;

import io.netty.channel.Channel;

/**
 * An established upstream byte stream for one {@code tcp_proxy} connection: a TCP (or TLS) socket
 * today, an HBONE CONNECT stream once tunnelling lands. Its {@link #channel()} carries
 * {@link io.netty.buffer.ByteBuf}s both ways, lives on the downstream connection's event loop, and has
 * auto-read off: the proxy reads it as fast as the downstream takes the bytes.
 */
public interface TcpUpstream {
  /** The channel the proxy writes to and reads from; the proxy adds its handler last. */
  Channel channel();

  /** Half-closes: the peer sees end of stream after the bytes already written. */
  void shutdownOutput();

  /** {@code ip:port} of our end ({@code %UPSTREAM_LOCAL_ADDRESS%}), or null. */
  String localAddress();
}
