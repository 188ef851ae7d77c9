package dev.egret.core.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * What the connection manager hands the rest of a request to, once the router has taken it. Calls
 * arrive on the stream's event loop; the handler owns (and must release) every content it receives.
 */
public interface RequestHandler {
  void onRequestData(HttpContent content);

  void onRequestEnd(LastHttpContent last);

  /** The downstream can (or can no longer) take more response bytes without queueing. */
  void onDownstreamWritabilityChanged(boolean writable);

  /** The client went away or reset the stream; stop all upstream work. */
  void onDownstreamReset();
}
