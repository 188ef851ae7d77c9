package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import dev.egret.core.listener.IpPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An {@code ORIGINAL_DST} cluster's settings ({@code original_dst_lb_config}, {@code cleanup_interval}):
 * where the destination of each request or connection comes from. In order, as Envoy looks: the
 * dynamic metadata at {@code metadata_key} (an {@code ip:port} string; the stream's, then the
 * connection's), the {@code x-envoy-original-dst-host} header (or {@code http_header_name}) when
 * {@code use_http_header} is set, else the downstream connection's local address (which the
 * {@code original_dst} listener filter may have restored). {@code upstream_port_override} then
 * replaces the port: Istio sends HBONE to the pod's IP on 15008 this way.
 *
 * @param useHttpHeader    {@code use_http_header}
 * @param httpHeaderName   the header read when {@code useHttpHeader}
 * @param portOverride     {@code upstream_port_override}, 0 for none
 * @param metadataNamespace {@code metadata_key.key}, or null for none
 * @param metadataPath     {@code metadata_key.path[].key}
 * @param cleanupInterval  how often unused hosts are forgotten (default 5 s)
 */
public record OriginalDst(boolean useHttpHeader, String httpHeaderName, int portOverride, String metadataNamespace,
    List<String> metadataPath, Duration cleanupInterval) {
  static final String DEFAULT_HEADER = "x-envoy-original-dst-host";
  static final Duration DEFAULT_CLEANUP = Duration.ofSeconds(5);

  public OriginalDst {
    requireNonNull(httpHeaderName, "httpHeaderName");
    metadataPath = List.copyOf(metadataPath);
    requireNonNull(cleanupInterval, "cleanupInterval");
  }

  static OriginalDst compile(Cluster c, ConfigPath at) {
    String header = DEFAULT_HEADER;
    boolean useHeader = false;
    int port = 0;
    String ns = null;
    List<String> path = new ArrayList<>();
    if (c.hasOriginalDstLbConfig()) {
      var o = c.getOriginalDstLbConfig();
      ConfigPath p = at.field("original_dst_lb_config");
      Fields.allowOnly(o, p, Set.of("use_http_header", "http_header_name", "upstream_port_override", "metadata_key"));
      useHeader = o.getUseHttpHeader();
      if (!o.getHttpHeaderName().isEmpty()) {
        header = o.getHttpHeaderName().toLowerCase(java.util.Locale.ROOT);
      }
      if (o.hasUpstreamPortOverride()) {
        long v = Integer.toUnsignedLong(o.getUpstreamPortOverride().getValue());
        if (v < 1 || v > 65535) {
          p.field("upstream_port_override").error("port " + v + " is out of range");
        } else {
          port = (int) v;
        }
      }
      if (o.hasMetadataKey()) {
        ConfigPath m = p.field("metadata_key");
        Fields.allowOnly(o.getMetadataKey(), m, Set.of("key", "path"));
        ns = o.getMetadataKey().getKey();
        if (ns.isEmpty()) {
          m.field("key").error("key (the metadata namespace) is required");
        }
        for (int i = 0; i < o.getMetadataKey().getPathCount(); i++) {
          path.add(o.getMetadataKey().getPath(i).getKey());
        }
      }
    }
    Duration cleanup = DEFAULT_CLEANUP;
    if (c.hasCleanupInterval()) {
      long nanos = com.google.protobuf.util.Durations.toNanos(c.getCleanupInterval());
      if (nanos <= 0) {
        at.field("cleanup_interval").error("must be a positive duration");
      } else {
        cleanup = Duration.ofNanos(nanos);
      }
    }
    return new OriginalDst(useHeader, header, port, ns, path, cleanup);
  }

  /** The destination for {@code ctx}, or null when none can be had (no host: {@code UH}). */
  public InetSocketAddress destination(LbContext ctx) {
    InetSocketAddress a = null;
    if (metadataNamespace != null && ctx.metadata() != null) {
      a = IpPort.parse(lookup(ctx.metadata().get(metadataNamespace)));
    }
    if (a == null && useHttpHeader && ctx.requestHeaders() != null) {
      String v = ctx.requestHeaders().get(httpHeaderName);
      if (v != null) {
        return override(IpPort.parse(v)); // a header that is set but unusable does not fall back (Envoy)
      }
    }
    if (a == null) {
      a = ctx.downstreamLocal();
      if (a != null && a.getAddress().isAnyLocalAddress()) {
        a = null; // an internal connection with no restored address
      }
    }
    return override(a);
  }

  private InetSocketAddress override(InetSocketAddress a) {
    return a == null || portOverride == 0 ? a : new InetSocketAddress(a.getAddress(), portOverride);
  }

  private String lookup(Struct s) {
    if (s == null) {
      return null;
    }
    Value v = null;
    Struct cur = s;
    for (String key : metadataPath) {
      if (cur == null) {
        return null;
      }
      v = cur.getFieldsMap().get(key);
      cur = v != null && v.hasStructValue() ? v.getStructValue() : null;
    }
    return v != null && v.hasStringValue() ? v.getStringValue() : null;
  }

}
