package dev.egret.core.http;

import io.netty.handler.codec.http.HttpRequest;

/**
 * The last step of the connection manager: finds the route for a request and serves it (from an
 * upstream, a direct response or a redirect).
 */
public interface HttpRouter {
  /**
   * Takes over a request whose headers have been checked and prepared.
   *
   * @return the handler for the rest of the request, or null when the request was answered locally
   *     (its remaining body is then discarded)
   */
  RequestHandler route(DownstreamStream stream, HttpRequest request);

  /** The route {@link #route} would take, for filters that read per-route configuration; null if none. */
  default dev.egret.core.route.RouteEntry findRoute(HttpRequest request) {
    return null;
  }

  /**
   * The router a new stream uses for all its routing ({@link #findRoute} for filters, then {@link
   * #route}): a router whose table can be swapped (RDS) returns the one current now, so a stream keeps
   * the route table it started with.
   */
  default HttpRouter snapshot() {
    return this;
  }
}
