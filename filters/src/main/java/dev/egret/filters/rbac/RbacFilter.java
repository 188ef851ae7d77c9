package dev.egret.filters.rbac;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The RBAC HTTP filter: on request headers (already normalised by the connection manager, so the
 * policy sees the path the upstream will get) it evaluates the shadow engine (counted only), then
 * the enforced engine. A denial answers {@code 403} with body {@code RBAC: access denied} and
 * details {@code rbac_access_denied_matched_policy[ID]} (or {@code [none]}), without a response flag.
 *
 * <p>What policies see: {@code destination_ip}/{@code port} = the downstream local address;
 * {@code source_ip} = the connection's remote address; {@code direct_remote_ip} and
 * {@code remote_ip} = the stream's direct and effective remote addresses; {@code requested_server_name}
 * = the connection's SNI; {@code authenticated} = the peer certificate's URI SAN (the only SAN
 * {@link ConnectionInfo} carries today: DNS SANs and the subject are not yet available, so names
 * that only those would match do not match); {@code filter_state[io.istio.peer_principal]} = the
 * same URI SAN; dynamic metadata is empty (no filter writes any yet).
 */
final class RbacFilter implements HttpFilter {
  static final String DENIED_BODY = "RBAC: access denied";

  private final RbacEngine engine; // nullable
  private final RbacEngine shadow; // nullable
  private final RbacStats stats;
  private final String filterName; // the name routes give per-route configuration under

  RbacFilter(RbacEngine engine, RbacEngine shadow, RbacStats stats, String filterName) {
    this.engine = engine;
    this.shadow = shadow;
    this.stats = stats;
    this.filterName = filterName;
  }

  @Override
  public Status onRequestHeaders(HttpFilterCallbacks cb, HttpRequest request) {
    RbacEngine engine = this.engine;
    RbacEngine shadow = this.shadow;
    RbacStats stats = this.stats;
    Object perRoute = filterName.isEmpty() ? null : cb.perRouteConfig(filterName);
    if (perRoute == PerFilterConfig.DISABLED) {
      return Status.CONTINUE;
    }
    if (perRoute instanceof RbacFilterFactory route) {
      engine = route.engine();
      shadow = route.shadowEngine();
      stats = route.stats();
    }
    if (engine == null && shadow == null) {
      return Status.CONTINUE;
    }
    RbacRequest r = view(cb.connection(), cb.info(), request, filterName.isEmpty() ? null : cb.route());
    if (shadow != null) {
      RbacDecision d = shadow.evaluate(r);
      (d.allowed() ? stats.shadowAllowed : stats.shadowDenied).inc();
    }
    if (engine == null) {
      return Status.CONTINUE;
    }
    RbacDecision d = engine.evaluate(r);
    if (engine.action() == RbacEngine.Action.LOG) {
      (d.policyId() != null ? stats.logged : stats.notLogged).inc();
    }
    if (d.allowed()) {
      stats.allowed.inc();
      return Status.CONTINUE;
    }
    stats.denied.inc();
    cb.sendLocalReply(403, DENIED_BODY, d.details(), null, null);
    return Status.CONTINUE;
  }

  /**
   * A filter-state value for policy: the stream's (or its connection's) value, and for Istio's
   * {@code io.istio.peer_principal} the peer certificate's URI SAN when no filter set one.
   */
  private static String filterState(StreamInfo info, String peer, String key) {
    String v = info == null ? null : info.filterState().getString(key);
    if (v == null && peer != null && RbacCompiler.PEER_PRINCIPAL_KEY.equals(key)) {
      return peer;
    }
    return v;
  }

  /** The request as policies see it. */
  static RbacRequest view(ConnectionInfo conn, StreamInfo info, HttpRequest request) {
    return view(conn, info, request, null);
  }

  /** As {@link #view(ConnectionInfo, StreamInfo, HttpRequest)}, naming the route for CEL's {@code xds.*}. */
  static RbacRequest view(ConnectionInfo conn, StreamInfo info, HttpRequest request,
      dev.egret.core.route.RouteEntry route) {
    String uri = request.uri();
    boolean connect = request.method().equals(HttpMethod.CONNECT);
    String path = connect && !uri.startsWith("/") ? null : uri;
    InetSocketAddress local = info != null && info.downstreamLocalAddress() != null
        ? info.downstreamLocalAddress() : conn.local();
    InetSocketAddress direct = info != null && info.downstreamDirectRemoteAddress() != null
        ? info.downstreamDirectRemoteAddress() : conn.remote();
    InetSocketAddress remote = info != null && info.downstreamRemoteAddress() != null
        ? info.downstreamRemoteAddress() : conn.remote();
    String sni = conn.sni() != null ? conn.sni() : info == null ? null : info.requestedServerName();
    String peer = conn.peerUriSan();
    return RbacRequest.builder(request.method().name(), request.headers())
        .authority(request.headers().get(HttpHeaderNames.HOST))
        .path(path)
        .scheme(conn.tls() ? "https" : "http")
        .localAddress(local)
        .sourceAddress(conn.remote())
        .directRemoteAddress(direct)
        .remoteAddress(remote)
        .requestedServerName(sni)
        .tls(conn.tls())
        .peerUriSans(peer == null ? List.of() : List.of(peer))
        .filterState(k -> filterState(info, peer, k))
        .dynamicMetadata(ns -> info == null ? null : info.dynamicMetadata().get(ns))
        .protocol(info == null ? null : info.protocol())
        .startEpochMillis(info == null ? -1 : info.startEpochMillis())
        .localUriSan(conn.localUriSan())
        .route(route == null ? null : route.name(), route == null ? null : route.virtualHostName())
        .build();
  }
}
