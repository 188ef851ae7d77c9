package dev.egret.core.http.filter;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * One HTTP filter's work on one stream (Envoy's decoder/encoder filter, headers only for now). The
 * connection manager calls filters in configuration order on request headers and in reverse order on
 * response headers, always on the stream's event loop.
 *
 * <p>A filter that must wait (a call to an authorization server) returns {@link Status#STOP} and later
 * calls {@link HttpFilterCallbacks#continueRequest()} or {@link HttpFilterCallbacks#sendLocalReply}
 * from the event loop; the request body waits meanwhile.
 */
public interface HttpFilter {
  /** What the chain does after a filter has seen the request headers. */
  enum Status {
    /** Pass the request to the next filter. */
    CONTINUE,
    /** Hold the request until the filter continues it or answers it. */
    STOP
  }

  /** Request headers (already normalised by the connection manager); may mutate them. */
  Status onRequestHeaders(HttpFilterCallbacks callbacks, HttpRequest request);

  /** Response headers on their way downstream (upstream or local reply); may mutate them. */
  default void onResponseHeaders(HttpFilterCallbacks callbacks, HttpResponse response) {}

  /** The stream ended (normally or not): release anything held, cancel pending calls. */
  default void onStreamEnd(HttpFilterCallbacks callbacks) {}
}
