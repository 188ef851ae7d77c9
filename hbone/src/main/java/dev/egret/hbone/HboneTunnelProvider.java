package dev.egret.hbone;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.tls.UpstreamTls;
import dev.egret.core.tunnel.PipeOpener;
import dev.egret.core.tunnel.TunnelProvider;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * {@code tcp_proxy}'s {@code tunneling_config} over HBONE: one {@link HboneConnector} per cluster,
 * with the cluster's compiled {@code UpstreamTlsContext} (our SPIFFE certificate, the peer's URI SAN
 * check, ALPN h2), as Istio's {@code connect_originate} cluster has it. A cluster without TLS, or
 * whose TLS does not offer h2, cannot carry HBONE and is reported at the tunneling config.
 */
public final class HboneTunnelProvider implements TunnelProvider {
  @Override
  public Tunnels tunnels(ClusterRuntime cluster, ConfigPath at) {
    UpstreamTls tls = cluster.upstreamTls();
    if (tls == null) {
      at.error("cluster '" + cluster.name() + "' has no TLS transport socket: HBONE tunnels need mutual TLS");
      return null;
    }
    if (!tls.alpn().contains("h2")) {
      at.error("cluster '" + cluster.name() + "' must offer ALPN h2 in its UpstreamTlsContext for HBONE tunnels");
      return null;
    }
    HboneConnector connector = new HboneConnector(tls, HboneClientSettings.DEFAULT);
    return new Tunnels() {
      @Override
      public PipeOpener opener(InetSocketAddress peer, String authority, List<Map.Entry<String, String>> headers) {
        Http2Headers extra = null;
        if (!headers.isEmpty()) {
          extra = new DefaultHttp2Headers();
          for (Map.Entry<String, String> h : headers) {
            extra.add(h.getKey(), h.getValue());
          }
        }
        return connector.opener(peer, authority, extra);
      }

      @Override
      public void close() {
        connector.close();
      }
    };
  }
}
