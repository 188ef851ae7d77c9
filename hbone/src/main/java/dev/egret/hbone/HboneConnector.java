package dev.egret.hbone;

import static java.util.Objects.requireNonNull;

import dev.egret.core.tls.UpstreamTls;
import dev.egret.core.tunnel.PipeOpener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HBONE client (Istio's {@code connect_originate}): opens tunnels to a destination through the
 * HBONE server in front of it (a ztunnel on {@code <pod IP>:15008}, or a waypoint), as
 * {@link PipeOpener}s any byte-relaying caller can use.
 *
 * <pre>{@code
 * HboneConnector hbone = new HboneConnector(HboneTls.client(certPem, keyPem, rootsPem, List.of("cluster.local")),
 *     HboneClientSettings.DEFAULT);
 * PipeOpener opener = hbone.opener(new InetSocketAddress(podIp, 15008), podIp + ":" + targetPort, null);
 * opener.open(loop, listener, callback);   // callback.onOpen(pipe) after the 200
 * }</pre>
 *
 * <p>Connections are pooled per event loop and peer address (mutual TLS with our own SPIFFE
 * certificate, the peer's URI SAN checked by the {@link UpstreamTls}), carry at most
 * {@code maxStreamsPerConnection} CONNECT streams or the peer's SETTINGS limit, are replaced when
 * full or after a GOAWAY, and close after the idle timeout. A CONNECT answered with anything but
 * 200, reset, or a failed connection is reported through {@link PipeOpener.Callback#onFailure} as
 * a connect failure. Thread-safe: each event loop uses its own pools.
 */
public final class HboneConnector implements AutoCloseable {
  private final UpstreamTls tls;
  private final HboneClientSettings settings;
  private final Map<EventLoop, Map<InetSocketAddress, HbonePool>> pools = new ConcurrentHashMap<>();
  private final Counters counters = new Counters();

  /**
   * @param tls the client TLS context: TLS 1.3, ALPN h2, our certificate, the peer's SAN check (see
   *     {@link HboneTls}, or compile the cluster's {@code UpstreamTlsContext})
   */
  public HboneConnector(UpstreamTls tls, HboneClientSettings settings) {
    this.tls = requireNonNull(tls, "tls");
    this.settings = requireNonNull(settings, "settings");
    if (!tls.alpn().contains("h2")) {
      throw new IllegalArgumentException("HBONE needs ALPN h2 in the TLS context");
    }
  }

  /**
   * A {@link PipeOpener} for tunnels through {@code peer} to {@code authority}.
   *
   * @param peer the HBONE server to connect to (e.g. {@code <pod IP>:15008})
   * @param authority the CONNECT {@code :authority}: the final destination {@code ip:port} (for a
   *     pod, its IP and target port) or {@code host:port}
   * @param extraHeaders request headers to add (e.g. {@code tunneling_config.headers_to_add}, or
   *     {@code baggage}, {@code forwarded}), or null
   */
  public PipeOpener opener(InetSocketAddress peer, String authority, Http2Headers extraHeaders) {
    requireNonNull(peer, "peer");
    requireNonNull(authority, "authority");
    return (loop, listener, callback) -> pool(loop, peer).open(authority, extraHeaders, listener, callback);
  }

  private HbonePool pool(EventLoop loop, InetSocketAddress peer) {
    if (!loop.inEventLoop()) {
      throw new IllegalStateException("open HBONE tunnels on the event loop they are for");
    }
    return pools.computeIfAbsent(loop, l -> new HashMap<>())
        .computeIfAbsent(peer, p -> new HbonePool(loop, p, tls, settings, counters));
  }

  /** Connections opened so far (including failed attempts), over all loops. */
  public int connectionsOpened() {
    return counters.opened.get();
  }

  /** Connections open or being opened now, over all loops. */
  public int connectionsActive() {
    return counters.active.get();
  }

  /** Closes every pooled connection (open tunnels on them end). */
  @Override
  public void close() {
    pools.forEach((loop, byPeer) -> loop.execute(() -> byPeer.values().forEach(HbonePool::close)));
  }

  /** Connection counters shared by the pools of all loops. */
  static final class Counters {
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger active = new AtomicInteger();

    void opened() {
      opened.incrementAndGet();
      active.incrementAndGet();
    }

    void closed() {
      active.decrementAndGet();
    }
  }
}
