package dev.egret.core.pool;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/** Receives what happens on one upstream stream. All calls arrive on the stream's event loop. */
public interface UpstreamStreamListener {
  /** Response headers; 1xx informational responses arrive here too. */
  void onResponseHeaders(HttpResponse response);

  /** A piece of the response body; the listener owns (and must release) it. */
  void onResponseData(HttpContent data);

  /** The end of the response, with trailers if any; the listener owns it. */
  void onResponseEnd(LastHttpContent last);

  /** The stream ended abnormally; {@code reason} is one of Envoy's reset reasons. */
  void onReset(ResetReason reason, String transportFailureReason);

  /** The upstream can (or can no longer) take more request body without queueing. */
  void onWritabilityChanged(boolean writable);
}
