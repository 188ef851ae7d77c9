package dev.egret.core.router;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.DownstreamStream;
import dev.egret.core.http.HttpRouter;
import dev.egret.core.http.RequestHandler;
import dev.egret.core.route.ClusterAction;
import dev.egret.core.route.ConnectUpgrade;
import dev.egret.core.route.DirectResponse;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.route.RouteTable;
import dev.egret.core.route.WeightedCluster;
import dev.egret.core.stream.ResponseFlag;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's router filter over one route table: finds the route, answers direct responses and
 * redirects, applies rewrites, and hands cluster routes to an {@link UpstreamCall}.
 */
public final class RouterImpl implements HttpRouter {
  private final RouteTable routes;
  private final Map<String, ClusterRuntime> clusters;

  public RouterImpl(RouteTable routes, Map<String, ClusterRuntime> clusters) {
    this.routes = requireNonNull(routes);
    this.clusters = requireNonNull(clusters);
  }

  @Override
  public RequestHandler route(DownstreamStream s, HttpRequest req) {
    HttpHeaders h = req.headers();
    String authority = h.get(HttpHeaderNames.HOST, "");
    RouteEntry route = routes.route(null, req.method().name(), authority, req.uri(), h);
    if (route == null) {
      s.config().stats().noRoute.inc();
      s.sendLocalReply(404, "", "route_not_found", ResponseFlag.NO_ROUTE_FOUND);
      return null;
    }
    s.info().setRouteName(route.name());
    WeightedCluster picked = route.actionType() == dev.egret.core.route.ActionType.CLUSTER
        ? route.clusterAction().pickWeighted(ThreadLocalRandom.current().nextLong()) : null;
    if (route.mutatesResponseHeaders() || (picked != null && !picked.responseHeaders().isEmpty())) {
      s.setResponseHeadersMutator(headers -> route.mutateResponseHeaders(headers, s.info(), picked));
    }
    switch (route.actionType()) {
      case DIRECT_RESPONSE -> {
        DirectResponse d = route.directResponse();
        s.sendLocalReply(d.status(), new String(d.bodyBytes(), StandardCharsets.UTF_8), "direct_response", null);
        return null;
      }
      case REDIRECT -> {
        String scheme = s.connection().tls() ? "https" : "http";
        HttpHeaders extra = new DefaultHttpHeaders().set(HttpHeaderNames.LOCATION,
            route.location(scheme, authority, req.uri()));
        s.sendLocalReply(route.redirect().status(), "", "direct_response", null, extra);
        return null;
      }
      default -> {
        if (HttpMethod.CONNECT.equals(req.method())) {
          return connect(s, route.clusterAction());
        }
        route.mutateRequestHeaders(h, s.info(), picked);
        return toCluster(s, req, route.clusterAction(), picked);
      }
    }
  }

  @Override
  public RouteEntry findRoute(HttpRequest req) {
    return routes.route(null, req.method().name(), req.headers().get(HttpHeaderNames.HOST, ""), req.uri(),
        req.headers());
  }

  /**
   * A CONNECT request on a cluster route: terminated ({@link ConnectTunnel}) when the route's
   * {@code upgrade_configs} CONNECT entry has {@code connect_config}. CONNECT not enabled on the
   * route or the connection manager is 403 {@code upgrade_failed}, as Envoy answers; forwarding
   * CONNECT itself upstream (an enabled entry without {@code connect_config}) is not supported and
   * answered the same way.
   */
  private RequestHandler connect(DownstreamStream s, ClusterAction action) {
    ConnectUpgrade upgrade = action.connectUpgrade();
    if (!upgrade.allowed(s.config().connectUpgrade()) || !upgrade.terminate()) {
      s.sendLocalReply(403, "", "upgrade_failed", null);
      return null;
    }
    String name = action.clusterName(s.info().request().headers(), ThreadLocalRandom.current().nextLong());
    ClusterRuntime cluster = name == null ? null : clusters.get(name);
    if (cluster == null) {
      s.config().stats().noCluster.inc();
      s.sendLocalReply(action.clusterNotFoundStatus(), "", "cluster_not_found", ResponseFlag.NO_CLUSTER_FOUND);
      return null;
    }
    if (action.idleTimeout() != null) {
      s.setStreamIdleTimeout(action.idleTimeout().toMillis());
    }
    if (action.maxStreamDuration() != null) {
      s.setMaxStreamDuration(action.maxStreamDuration().toMillis());
    }
    return new ConnectTunnel(s, cluster).start();
  }

  private RequestHandler toCluster(DownstreamStream s, HttpRequest req, ClusterAction action,
      WeightedCluster picked) {
    HttpHeaders h = req.headers();
    String name = picked != null ? picked.name() : action.clusterName(h, ThreadLocalRandom.current().nextLong());
    ClusterRuntime cluster = name == null ? null : clusters.get(name);
    if (cluster == null) {
      s.config().stats().noCluster.inc();
      s.sendLocalReply(action.clusterNotFoundStatus(), "", "cluster_not_found", ResponseFlag.NO_CLUSTER_FOUND);
      return null;
    }
    if (action.rewritesPath()) {
      String original = req.uri();
      s.info().setOriginalPath(original);
      h.set("x-envoy-original-path", original);
      req.setUri(action.rewritePath(original));
    }
    if (action.hostRewriteLiteral() != null) {
      h.set(HttpHeaderNames.HOST, action.hostRewriteLiteral());
    }
    if (action.idleTimeout() != null) {
      s.setStreamIdleTimeout(action.idleTimeout().toMillis());
    }
    java.time.Duration maxStream = action.maxStreamDurationFor(h);
    if (maxStream != null) {
      s.setMaxStreamDuration(maxStream.toMillis());
    }
    long timeoutMillis = action.timeoutFor(h).toMillis();
    boolean withBody = s.requestBodyExpected();
    HttpRequest head;
    if (withBody) {
      if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
      head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.uri(), h);
    } else {
      head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.uri(), Unpooled.EMPTY_BUFFER,
          h, EmptyHttpHeaders.INSTANCE);
    }
    return new UpstreamCall(s, cluster, head, !withBody, timeoutMillis, action.autoHostRewrite(),
        action.retryPolicy(), action.includeRequestAttemptCount(), action.includeAttemptCountInResponse()).start();
  }
}
