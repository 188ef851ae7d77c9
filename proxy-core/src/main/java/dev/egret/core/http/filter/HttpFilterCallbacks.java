package dev.egret.core.http.filter;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;

/** What a filter can see and do on its stream. Call only on {@link #eventLoop()}. */
public interface HttpFilterCallbacks {
  StreamInfo info();

  ConnectionInfo connection();

  EventLoop eventLoop();

  /** The route the request will take (resolved on first use), or null when none matches. */
  RouteEntry route();

  /**
   * The per-route configuration the route gives the filter named {@code filterName} (compiled by its
   * provider), {@link dev.egret.core.route.PerFilterConfig#DISABLED}, or null.
   */
  default Object perRouteConfig(String filterName) {
    RouteEntry r = route();
    return r == null ? null : r.perFilterConfig(filterName);
  }

  /** Resumes a request a filter stopped: the next filter (or the router) gets it. */
  void continueRequest();

  /** Answers the request locally and ends the filter chain; {@code flag} and {@code extra} may be null. */
  void sendLocalReply(int status, String body, String details, ResponseFlag flag, HttpHeaders extra);
}
