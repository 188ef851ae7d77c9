package dev.egret.core.network;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.Channel;

/**
 * The filter that ends a chain and owns the connection's bytes from then on: the HTTP connection
 * manager or {@code tcp_proxy}. Compiled once per chain; {@link #start} is called per connection on
 * its event loop, after every other network filter continued.
 */
public interface TerminalFilter {
  /**
   * Takes the connection over: installs handlers at the end of {@code ch}'s pipeline and reads. Bytes
   * held while earlier filters ran reach those handlers right after this returns.
   *
   * @param info the connection-level stream info (what a TCP access log prints)
   */
  void start(Channel ch, ConnectionInfo connection, StreamInfo info);

  /**
   * The connection closed before {@link #start} (an earlier filter closed it, or the peer left while
   * a filter waited). {@code tcp_proxy} still writes its access log then, as Envoy does.
   */
  default void closedBeforeStart(ConnectionInfo connection, StreamInfo info) {}
}
