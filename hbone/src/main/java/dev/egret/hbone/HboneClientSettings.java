package dev.egret.hbone;

import dev.egret.core.http.Http2Keepalive;

/**
 * How the HBONE client pools and tunes its HTTP/2 connections (hbone.md §4, §12).
 *
 * @param maxStreamsPerConnection streams per connection at most; the peer's
 *     SETTINGS_MAX_CONCURRENT_STREAMS lowers it (ztunnel: min(100, peer))
 * @param idleTimeoutMillis a connection without streams for this long is closed (mesh
 *     {@code hboneIdleTimeout}, 1 h by default); 0 = never
 * @param connectTimeoutMillis TCP connect + TLS handshake + the server's first SETTINGS
 * @param initialStreamWindow SETTINGS_INITIAL_WINDOW_SIZE we advertise (4 MiB, as ztunnel)
 * @param initialConnectionWindow the connection window we grow to (16 MiB, as ztunnel)
 * @param keepalive PINGs on each connection (10 s, closed after 20 s without an ACK)
 */
public record HboneClientSettings(int maxStreamsPerConnection, long idleTimeoutMillis, long connectTimeoutMillis,
    int initialStreamWindow, int initialConnectionWindow, Http2Keepalive keepalive) {

  public static final HboneClientSettings DEFAULT = new HboneClientSettings(100, 3_600_000, 10_000,
      4 * 1024 * 1024, 16 * 1024 * 1024, new Http2Keepalive(10_000, 20_000, 15.0));

  public HboneClientSettings {
    if (maxStreamsPerConnection < 1) {
      throw new IllegalArgumentException("maxStreamsPerConnection must be at least 1");
    }
    java.util.Objects.requireNonNull(keepalive, "keepalive");
  }

  public HboneClientSettings withMaxStreamsPerConnection(int n) {
    return new HboneClientSettings(n, idleTimeoutMillis, connectTimeoutMillis, initialStreamWindow,
        initialConnectionWindow, keepalive);
  }

  public HboneClientSettings withIdleTimeoutMillis(long millis) {
    return new HboneClientSettings(maxStreamsPerConnection, millis, connectTimeoutMillis, initialStreamWindow,
        initialConnectionWindow, keepalive);
  }
}
