package dev.egret.filters.extauthz;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the gRPC {@code CheckRequest} for one request (rbac-extauthz.md §5.2): source = the
 * connection's remote address and the peer certificate's URI SAN (the only SAN the connection
 * records; DNS SAN and subject fallbacks are not available) and {@code x-envoy-downstream-service-cluster};
 * destination = the local address and our certificate's URI SAN; {@code request.time} = stream start;
 * {@code request.http}: {@code id} (a per-configuration counter), method, path with query, host,
 * scheme, protocol, {@code size} (the {@code content-length}, else body bytes received so far) and the
 * headers the configuration selects (all by default); {@code context_extensions} from the route;
 * {@code metadata_context} from the listed dynamic-metadata namespaces; {@code tls_session.sni} when
 * asked. No body is sent: Egret's HTTP filter API does not buffer request bodies yet.
 */
final class CheckRequestBuilder {
  private final HeaderSelector allowed; // nullable: all
  private final HeaderSelector disallowed; // nullable: none
  private final boolean includeTlsSession;
  private final List<String> metadataNamespaces;
  private final AtomicLong ids = new AtomicLong();

  CheckRequestBuilder(HeaderSelector allowed, HeaderSelector disallowed, boolean includeTlsSession,
      List<String> metadataNamespaces) {
    this.allowed = allowed;
    this.disallowed = disallowed;
    this.includeTlsSession = includeTlsSession;
    this.metadataNamespaces = List.copyOf(metadataNamespaces);
  }

  boolean selects(String name) {
    return (allowed == null || allowed.matches(name)) && (disallowed == null || !disallowed.matches(name));
  }

  CheckRequest build(HttpFilterCallbacks cb, HttpRequest request, Map<String, String> contextExtensions) {
    ConnectionInfo conn = cb.connection();
    StreamInfo info = cb.info();
    InetSocketAddress local = info != null && info.downstreamLocalAddress() != null
        ? info.downstreamLocalAddress() : conn.local();
    AttributeContext.Peer.Builder source = AttributeContext.Peer.newBuilder().setAddress(address(conn.remote()));
    if (conn.peerUriSan() != null) {
      source.setPrincipal(conn.peerUriSan());
    }
    String service = request.headers().get("x-envoy-downstream-service-cluster");
    if (service != null) {
      source.setService(service);
    }
    AttributeContext.Peer.Builder destination = AttributeContext.Peer.newBuilder().setAddress(address(local));
    if (conn.localUriSan() != null) {
      destination.setPrincipal(conn.localUriSan());
    }
    long start = info == null ? System.currentTimeMillis() : info.startEpochMillis();
    long size = HttpUtil.getContentLength(request, info == null ? 0L : info.bytesReceived());
    AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
        .setId(Long.toString(ids.incrementAndGet()))
        .setMethod(request.method().name())
        .setPath(request.uri())
        .setHost(request.headers().get(HttpHeaderNames.HOST, ""))
        .setScheme(RequestView.scheme(request, conn))
        .setProtocol(protocol(info, request))
        .setSize(size)
        .putAllHeaders(RequestView.headers(request, conn, this::selects));
    AttributeContext.Builder a = AttributeContext.newBuilder()
        .setSource(source)
        .setDestination(destination)
        .setRequest(AttributeContext.Request.newBuilder()
            .setTime(Timestamp.newBuilder().setSeconds(start / 1000).setNanos((int) (start % 1000) * 1_000_000))
            .setHttp(http))
        .putAllContextExtensions(contextExtensions);
    if (!metadataNamespaces.isEmpty() && info != null) {
      Metadata.Builder m = Metadata.newBuilder();
      for (String ns : metadataNamespaces) {
        Struct s = info.dynamicMetadata().get(ns);
        if (s != null) {
          m.putFilterMetadata(ns, s);
        }
      }
      a.setMetadataContext(m);
    }
    if (includeTlsSession && conn.tls()) {
      AttributeContext.TLSSession.Builder t = AttributeContext.TLSSession.newBuilder();
      if (conn.sni() != null) {
        t.setSni(conn.sni());
      }
      a.setTlsSession(t);
    }
    return CheckRequest.newBuilder().setAttributes(a).build();
  }

  private static String protocol(StreamInfo info, HttpRequest request) {
    String p = info == null ? null : info.protocol();
    return p != null ? p : request.protocolVersion().text();
  }

  static Address address(InetSocketAddress a) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
        .setAddress(a.getAddress().getHostAddress()).setPortValue(a.getPort())).build();
  }
}
