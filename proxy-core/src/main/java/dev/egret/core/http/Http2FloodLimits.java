package dev.egret.core.http;

import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;

/**
 * The HTTP/2 abuse limits a downstream connection enforces (hardening.md §3), each answered with
 * GOAWAY and a counted stat by {@link Http2Guards}. The first five are Envoy's
 * {@code http2_protocol_options} fields with Envoy's defaults; the others are Envoy runtime keys or
 * Netty defaults that Envoy's config does not carry, fixed at the spec's values.
 *
 * @param maxOutboundFrames            {@code max_outbound_frames}: frames queued for a peer that does not
 *                                     read (written, not yet on the socket); over it the connection closes
 * @param maxOutboundControlFrames     {@code max_outbound_control_frames}: the same for PING, SETTINGS and
 *                                     RST_STREAM frames
 * @param maxConsecutiveEmptyFrames    {@code max_consecutive_inbound_frames_with_empty_payload}: HEADERS,
 *                                     CONTINUATION or DATA frames with no payload and no END_STREAM in a row
 * @param maxPriorityFramesPerStream   {@code max_inbound_priority_frames_per_stream}: PRIORITY frames allowed
 *                                     per opened stream (plus one stream's worth) over the connection's life
 * @param maxWindowUpdatesPerDataFrameSent {@code max_inbound_window_update_frames_per_data_frame_sent}:
 *                                     WINDOW_UPDATEs allowed are 5 + 2 × (opened streams + this × DATA sent)
 * @param maxRstFramesPerWindow        RST_STREAM frames received (Rapid Reset) or sent (MadeYouReset) per
 *                                     {@code rstWindowSeconds}; Netty's default, 200
 * @param rstWindowSeconds             the RST window, 30 s
 * @param maxSmallContinuationFrames   CONTINUATION frames under {@code smallContinuationBytes} in one header
 *                                     block; Netty's default, 16
 * @param smallContinuationBytes       8 KiB
 * @param controlFrameBurst            PING or SETTINGS (non-ACK) frames a client may send at once, 100
 * @param controlFramesPerSecond       their sustained rate, 10/s (the bucket refills at this rate)
 * @param prematureResetTotalStreams   Envoy runtime {@code overload.premature_reset_total_stream_count}, 500
 * @param prematureResetMinLifetimeMillis Envoy runtime
 *                                     {@code overload.premature_reset_min_stream_lifetime_seconds}, 1 s
 */
public record Http2FloodLimits(
    int maxOutboundFrames,
    int maxOutboundControlFrames,
    int maxConsecutiveEmptyFrames,
    int maxPriorityFramesPerStream,
    int maxWindowUpdatesPerDataFrameSent,
    int maxRstFramesPerWindow,
    int rstWindowSeconds,
    int maxSmallContinuationFrames,
    int smallContinuationBytes,
    int controlFrameBurst,
    int controlFramesPerSecond,
    int prematureResetTotalStreams,
    long prematureResetMinLifetimeMillis) {

  /** Envoy's defaults for the config fields; the spec's values for the rest. */
  public static final Http2FloodLimits DEFAULT =
      new Http2FloodLimits(10_000, 1000, 1, 100, 10, 200, 30, 16, 8192, 100, 10, 500, 1000);

  public Http2FloodLimits {
    if (maxOutboundFrames < 1 || maxOutboundControlFrames < 1 || maxConsecutiveEmptyFrames < 0
        || maxPriorityFramesPerStream < 0 || maxWindowUpdatesPerDataFrameSent < 0 || maxRstFramesPerWindow < 1
        || rstWindowSeconds < 1 || maxSmallContinuationFrames < 1 || smallContinuationBytes < 1
        || controlFrameBurst < 1 || controlFramesPerSecond < 1 || prematureResetTotalStreams < 1
        || prematureResetMinLifetimeMillis < 0) {
      throw new IllegalArgumentException("HTTP/2 flood limits out of range: " + Http2FloodLimits.class);
    }
  }

  /** The Envoy field names this compiles, for {@code Fields.allowOnly}. */
  public static final java.util.Set<String> FIELDS = java.util.Set.of("max_outbound_frames",
      "max_outbound_control_frames", "max_consecutive_inbound_frames_with_empty_payload",
      "max_inbound_priority_frames_per_stream", "max_inbound_window_update_frames_per_data_frame_sent");

  /**
   * Reads the {@link #FIELDS} of {@code o} over {@link #DEFAULT}; out-of-range values are errors at
   * their field path (Envoy's bounds: the outbound limits at least 1).
   */
  public static Http2FloodLimits compile(Http2ProtocolOptions o, ConfigPath at) {
    Http2FloodLimits d = DEFAULT;
    int outbound = o.hasMaxOutboundFrames() ? o.getMaxOutboundFrames().getValue() : d.maxOutboundFrames();
    int control = o.hasMaxOutboundControlFrames() ? o.getMaxOutboundControlFrames().getValue()
        : d.maxOutboundControlFrames();
    if (outbound < 1) {
      at.field("max_outbound_frames").error("must be at least 1");
      outbound = d.maxOutboundFrames();
    }
    if (control < 1) {
      at.field("max_outbound_control_frames").error("must be at least 1");
      control = d.maxOutboundControlFrames();
    }
    return new Http2FloodLimits(outbound, control,
        o.hasMaxConsecutiveInboundFramesWithEmptyPayload()
            ? o.getMaxConsecutiveInboundFramesWithEmptyPayload().getValue() : d.maxConsecutiveEmptyFrames(),
        o.hasMaxInboundPriorityFramesPerStream()
            ? o.getMaxInboundPriorityFramesPerStream().getValue() : d.maxPriorityFramesPerStream(),
        o.hasMaxInboundWindowUpdateFramesPerDataFrameSent()
            ? o.getMaxInboundWindowUpdateFramesPerDataFrameSent().getValue() : d.maxWindowUpdatesPerDataFrameSent(),
        d.maxRstFramesPerWindow(), d.rstWindowSeconds(), d.maxSmallContinuationFrames(), d.smallContinuationBytes(),
        d.controlFrameBurst(), d.controlFramesPerSecond(), d.prematureResetTotalStreams(),
        d.prematureResetMinLifetimeMillis());
  }

  /** A copy with other premature-reset parameters (the Envoy runtime keys). */
  public Http2FloodLimits withPrematureReset(int totalStreams, long minLifetimeMillis) {
    return new Http2FloodLimits(maxOutboundFrames, maxOutboundControlFrames, maxConsecutiveEmptyFrames,
        maxPriorityFramesPerStream, maxWindowUpdatesPerDataFrameSent, maxRstFramesPerWindow, rstWindowSeconds,
        maxSmallContinuationFrames, smallContinuationBytes, controlFrameBurst, controlFramesPerSecond,
        totalStreams, minLifetimeMillis);
  }
}
