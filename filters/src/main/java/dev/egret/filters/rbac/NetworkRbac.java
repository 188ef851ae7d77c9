package dev.egret.filters.rbac;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.http.PeerCertificate;
import dev.egret.core.network.NetworkFilter;
import dev.egret.core.network.NetworkFilterCallbacks;
import dev.egret.core.network.NetworkFilterFactory;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.util.List;

/**
 * A compiled network RBAC filter ({@code envoy.extensions.filters.network.rbac.v3.RBAC}) and its
 * stateless filter, shared by every connection of its chain. The policy is evaluated once per
 * connection, when its filter chain starts (after the TLS handshake, before the terminal filter reads
 * any byte: Egret's form of {@code ONE_TIME_ON_FIRST_BYTE}, except that a connection is judged even
 * if the client never sends a byte). The shadow engine is evaluated first (counted, and its result
 * written to the connection's dynamic metadata under {@code envoy.filters.network.rbac}:
 * {@code shadow_effective_policy_id}, {@code shadow_engine_result}); then the enforced engine. A
 * denial closes the connection before anything is forwarded, with
 * {@code %CONNECTION_TERMINATION_DETAILS%} = {@code rbac_access_denied_matched_policy[ID]} (or
 * {@code [none]}).
 *
 * <p>What policies see: {@code destination_ip}/{@code port} = the connection's local address;
 * {@code source_ip} and {@code remote_ip} = its remote address (after PROXY protocol /
 * original_src), {@code direct_remote_ip} = the physical peer; {@code requested_server_name} = SNI;
 * {@code authenticated} = the peer certificate's URI SANs, then DNS SANs, then subject;
 * {@code filter_state} = the connection's (with {@code io.istio.peer_principal} falling back to the
 * peer URI SAN); {@code metadata} = the connection's dynamic metadata. There is no request: header,
 * {@code url_path} and method permissions see no headers, no path and an empty method, so they do not
 * match (as in Envoy).
 */
public final class NetworkRbac implements NetworkFilterFactory, NetworkFilter {
  /** The dynamic-metadata namespace shadow results are written under. */
  public static final String METADATA_NAMESPACE = "envoy.filters.network.rbac";

  private final RbacEngine engine; // nullable: nothing enforced
  private final RbacEngine shadow; // nullable
  private final NetworkRbacStats stats;

  NetworkRbac(RbacEngine engine, RbacEngine shadow, NetworkRbacStats stats) {
    this.engine = engine;
    this.shadow = shadow;
    this.stats = requireNonNull(stats, "stats");
  }

  @Override
  public NetworkFilter newFilter() {
    return this;
  }

  /** The enforced engine, or null when the filter enforces nothing. */
  public RbacEngine engine() {
    return engine;
  }

  /** The shadow engine, or null. */
  public RbacEngine shadowEngine() {
    return shadow;
  }

  public NetworkRbacStats stats() {
    return stats;
  }

  @Override
  public Status onNewConnection(NetworkFilterCallbacks cb) {
    if (engine == null && shadow == null) {
      return Status.CONTINUE;
    }
    RbacRequest r = view(cb.connection(), cb.info());
    if (shadow != null) {
      RbacDecision d = shadow.evaluate(r);
      (d.allowed() ? stats.shadowAllowed : stats.shadowDenied).inc();
      Struct.Builder md = Struct.newBuilder()
          .putFields("shadow_engine_result", Value.newBuilder().setStringValue(d.allowed() ? "allowed" : "denied").build());
      if (d.policyId() != null) {
        md.putFields("shadow_effective_policy_id", Value.newBuilder().setStringValue(d.policyId()).build());
      }
      cb.connection().dynamicMetadata().merge(METADATA_NAMESPACE, md.build());
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
    cb.closeConnection(d.details());
    return Status.STOP;
  }

  /** The connection as policies see it. */
  static RbacRequest view(ConnectionInfo conn, StreamInfo info) {
    PeerCertificate cert = conn.peerCertificate();
    List<String> uriSans = cert != null ? cert.uriSans()
        : conn.peerUriSan() == null ? List.of() : List.of(conn.peerUriSan());
    String peer = conn.peerUriSan() != null ? conn.peerUriSan() : uriSans.isEmpty() ? null : uriSans.get(0);
    String sni = conn.sni() != null ? conn.sni() : info.requestedServerName();
    return RbacRequest.builder("", EmptyHttpHeaders.INSTANCE)
        .localAddress(info.downstreamLocalAddress() != null ? info.downstreamLocalAddress() : conn.local())
        .sourceAddress(conn.remote())
        .directRemoteAddress(conn.directRemote())
        .remoteAddress(conn.remote())
        .requestedServerName(sni)
        .tls(conn.tls())
        .peerUriSans(uriSans)
        .peerDnsSans(cert == null ? List.of() : cert.dnsSans())
        .peerSubject(cert == null ? null : cert.subject())
        .filterState(k -> filterState(info, peer, k))
        .dynamicMetadata(ns -> info.dynamicMetadata().get(ns))
        .startEpochMillis(info.startEpochMillis())
        .localUriSan(conn.localUriSan())
        .build();
  }

  private static String filterState(StreamInfo info, String peer, String key) {
    String v = info.filterState().getString(key);
    if (v == null && peer != null && RbacCompiler.PEER_PRINCIPAL_KEY.equals(key)) {
      return peer;
    }
    return v;
  }
}
