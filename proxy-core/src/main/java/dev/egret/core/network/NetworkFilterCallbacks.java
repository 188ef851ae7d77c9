package dev.egret.core.network;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.EventLoop;

/** What a network filter can see and do on its connection. Call only on {@link #eventLoop()}. */
public interface NetworkFilterCallbacks {
  /**
   * The connection's facts, including its {@link ConnectionInfo#filterState() filter state} and
   * {@link ConnectionInfo#dynamicMetadata() dynamic metadata}, which every later filter and every
   * HTTP stream on the connection sees.
   */
  ConnectionInfo connection();

  /**
   * The connection-level stream info: what a TCP access log of this connection prints (flags,
   * {@code %CONNECTION_TERMINATION_DETAILS%}, bytes, duration). Its filter state and metadata fall
   * back to the connection's.
   */
  StreamInfo info();

  EventLoop eventLoop();

  /** Resumes a connection this filter stopped: the next filter (or the terminal filter) gets it. */
  void continueConnection();

  /**
   * Closes the connection now, no later filter running; {@code terminationDetails} (nullable) becomes
   * {@code %CONNECTION_TERMINATION_DETAILS%}, e.g. {@code rbac_access_denied_matched_policy[none]}.
   */
  void closeConnection(String terminationDetails);
}
