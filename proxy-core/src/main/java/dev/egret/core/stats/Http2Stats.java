package dev.egret.core.stats;

import static java.util.Objects.requireNonNull;

/**
 * Envoy's downstream HTTP/2 codec stats, rooted at {@code http2.} server-wide as Envoy roots them
 * (Prometheus {@code envoy_http2_rx_reset}, …), plus Egret's own flood counters for the patterns
 * Envoy's codec handles without a stat of its own (see docs/hardening.md). Every instance made from
 * the same {@link Stats} shares the same counters.
 */
public final class Http2Stats {
  /** RST_STREAM frames received. */
  public final StatCounter rxReset;
  /** RST_STREAM frames sent. */
  public final StatCounter txReset;
  /** Header blocks over the header list limit (decoded size or accumulated CONTINUATION bytes). */
  public final StatCounter headerOverflow;
  /** Connections closed because too many frames were queued for a peer that does not read. */
  public final StatCounter outboundFlood;
  /** The same for PING, SETTINGS and RST_STREAM frames. */
  public final StatCounter outboundControlFlood;
  /** Connections closed for too many consecutive frames with an empty payload. */
  public final StatCounter inboundEmptyFramesFlood;
  /** Connections closed for too many PRIORITY frames. */
  public final StatCounter inboundPriorityFramesFlood;
  /** Connections closed for too many WINDOW_UPDATE frames. */
  public final StatCounter inboundWindowUpdateFramesFlood;
  /** Egret: connections closed for too many RST_STREAM frames received in the window (Rapid Reset). */
  public final StatCounter inboundRstFlood;
  /** Egret: connections closed for provoking too many RST_STREAM frames from Egret (MadeYouReset). */
  public final StatCounter outboundRstFlood;
  /** Egret: connections closed for a PING flood. */
  public final StatCounter inboundPingFlood;
  /** Egret: connections closed for a SETTINGS flood. */
  public final StatCounter inboundSettingsFlood;
  /** Egret: connections closed for too many small CONTINUATION frames in one header block. */
  public final StatCounter inboundContinuationFlood;

  public Http2Stats(Stats stats) {
    requireNonNull(stats, "stats");
    rxReset = stats.serverCounter("http2.rx_reset");
    txReset = stats.serverCounter("http2.tx_reset");
    headerOverflow = stats.serverCounter("http2.header_overflow");
    outboundFlood = stats.serverCounter("http2.outbound_flood");
    outboundControlFlood = stats.serverCounter("http2.outbound_control_flood");
    inboundEmptyFramesFlood = stats.serverCounter("http2.inbound_empty_frames_flood");
    inboundPriorityFramesFlood = stats.serverCounter("http2.inbound_priority_frames_flood");
    inboundWindowUpdateFramesFlood = stats.serverCounter("http2.inbound_window_update_frames_flood");
    inboundRstFlood = stats.serverCounter("http2.inbound_rst_flood");
    outboundRstFlood = stats.serverCounter("http2.outbound_rst_flood");
    inboundPingFlood = stats.serverCounter("http2.inbound_ping_flood");
    inboundSettingsFlood = stats.serverCounter("http2.inbound_settings_flood");
    inboundContinuationFlood = stats.serverCounter("http2.inbound_continuation_flood");
  }
}
