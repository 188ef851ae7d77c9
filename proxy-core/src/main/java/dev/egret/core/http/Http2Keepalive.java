package dev.egret.core.http;

/**
 * {@code http2_protocol_options.connection_keepalive}: a PING every {@code intervalMillis} (plus a
 * random jitter of up to {@code jitterPercent} of it), and the connection closed with
 * GOAWAY(NO_ERROR) when an ACK has not arrived {@code timeoutMillis} after a PING.
 *
 * @param intervalMillis 0 = no keep-alive PINGs
 * @param timeoutMillis  how long to wait for the ACK
 * @param jitterPercent  {@code interval_jitter} (Envoy's default 15 %)
 */
public record Http2Keepalive(long intervalMillis, long timeoutMillis, double jitterPercent) {
  public static final Http2Keepalive OFF = new Http2Keepalive(0, 0, 0);

  public Http2Keepalive {
    if (intervalMillis < 0 || timeoutMillis < 0 || jitterPercent < 0) {
      throw new IllegalArgumentException("negative keepalive setting");
    }
  }

  public boolean enabled() {
    return intervalMillis > 0;
  }
}
