package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.stream.DynamicMetadata;
import io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport;
import io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport.MetadataValueSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster's {@code internal_upstream} transport socket: which metadata namespaces of the chosen host
 * (or of the cluster) a connection to an internal listener carries, as the listener connection's
 * dynamic metadata. Istio passes the host's {@code envoy.filters.listener.original_dst} namespace this
 * way, so that {@code connect_originate}'s original_dst listener filter learns the pod address.
 *
 * @param passthrough the namespaces to copy, in order
 */
public record InternalUpstream(List<Passthrough> passthrough) {
  /** Where a namespace is read from. */
  public enum Kind { HOST, CLUSTER }

  /** One {@code passthrough_metadata} entry. */
  public record Passthrough(Kind kind, String namespace) {
    public Passthrough {
      requireNonNull(kind, "kind");
      requireNonNull(namespace, "namespace");
    }
  }

  public InternalUpstream {
    passthrough = List.copyOf(passthrough);
  }

  /**
   * Compiles the socket; its inner {@code transport_socket} must be raw_buffer (or absent): Egret
   * does not run TLS inside an in-process connection. Returns null after recording errors.
   */
  static InternalUpstream compile(InternalUpstreamTransport t, ConfigPath at) {
    int before = at.errorCount();
    Fields.allowOnly(t, at, Set.of("passthrough_metadata", "transport_socket"));
    List<Passthrough> out = new ArrayList<>();
    for (int i = 0; i < t.getPassthroughMetadataCount(); i++) {
      MetadataValueSource m = t.getPassthroughMetadata(i);
      ConfigPath p = at.field("passthrough_metadata").index(i);
      Fields.allowOnly(m, p, Set.of("kind", "name"));
      if (m.getName().isEmpty()) {
        p.field("name").error("name (the metadata namespace) is required");
      }
      Kind kind;
      if (m.getKind().hasHost()) {
        kind = Kind.HOST;
      } else if (m.getKind().hasCluster()) {
        kind = Kind.CLUSTER;
      } else {
        p.field("kind").error("kind must be host or cluster");
        continue;
      }
      out.add(new Passthrough(kind, m.getName()));
    }
    if (t.hasTransportSocket()) {
      var inner = t.getTransportSocket();
      ConfigPath ip = at.field("transport_socket");
      Fields.allowOnly(inner, ip, Set.of("name", "typed_config"));
      boolean raw = inner.hasTypedConfig()
          ? inner.getTypedConfig().getTypeUrl().endsWith("/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer")
          : inner.getName().equals(ClusterCompiler.RAW_BUFFER) || inner.getName().equals("raw_buffer");
      if (!raw) {
        ip.error("only raw_buffer is supported inside internal_upstream (an in-process connection is not encrypted)");
      }
    }
    return at.errorCount() > before ? null : new InternalUpstream(out);
  }

  /** The metadata a connection to {@code host} hands to the internal listener. */
  public DynamicMetadata metadataFor(Host host, Map<String, Struct> clusterMetadata) {
    DynamicMetadata md = DynamicMetadata.forConnection();
    for (Passthrough p : passthrough) {
      Struct s = (p.kind() == Kind.HOST ? host.metadata() : clusterMetadata).get(p.namespace());
      if (s != null) {
        md.merge(p.namespace(), s);
      }
    }
    return md;
  }
}
