package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import dev.egret.core.overload.OverloadManagerRuntime;
import dev.egret.core.stats.Http2Stats;
import dev.egret.core.stats.HttpStats;
import dev.egret.core.stats.StatCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Guards one downstream HTTP/2 connection against the abuse patterns of hardening.md §3. It sits
 * between the transport (TLS, if any) and Netty's HTTP/2 codec and reads the frame headers of both
 * directions as the bytes pass (nothing is buffered or decoded). On a flood it counts the stat, stops
 * passing the peer's bytes on, and has the codec send GOAWAY(ENHANCE_YOUR_CALM) with the last stream
 * id it processed, then closes (at the latest after {@link #CLOSE_DELAY_MILLIS}, even if the GOAWAY
 * cannot be written).
 *
 * <ul>
 *   <li>Rapid Reset: more than {@code maxRstFramesPerWindow} RST_STREAM frames received in the window
 *       ({@code http2.inbound_rst_flood}); and Envoy's premature-reset rule: once the closed streams reach
 *       {@code prematureResetTotalStreams} (or earlier when the client's resets alone already make half
 *       of that number), half or more of them reset by the client within the minimum lifetime
 *       ({@code http.<prefix>.downstream_rq_too_many_premature_resets}).</li>
 *   <li>MadeYouReset: more than {@code maxRstFramesPerWindow} RST_STREAM frames sent by Egret in the window
 *       — resets the client provoked with invalid frames ({@code http2.outbound_rst_flood}).</li>
 *   <li>CONTINUATION floods: more than {@code maxSmallContinuationFrames} small CONTINUATION frames in a
 *       header block ({@code http2.inbound_continuation_flood}), or a block over 1.25 × the header list
 *       limit ({@code http2.header_overflow}); zero-length ones also count as empty frames.</li>
 *   <li>Empty frames: more than {@code maxConsecutiveEmptyFrames} HEADERS / CONTINUATION / DATA frames
 *       in a row with no payload and no END_STREAM ({@code http2.inbound_empty_frames_flood}).</li>
 *   <li>PRIORITY and WINDOW_UPDATE floods with Envoy's per-stream and per-DATA-frame budgets
 *       ({@code http2.inbound_priority_frames_flood}, {@code http2.inbound_window_update_frames_flood}).</li>
 *   <li>PING and SETTINGS floods: a token bucket per kind ({@code http2.inbound_ping_flood},
 *       {@code http2.inbound_settings_flood}).</li>
 *   <li>A peer that does not read: frames written but not yet taken by the socket are counted; over
 *       {@code maxOutboundFrames} (or {@code maxOutboundControlFrames} PING/SETTINGS/RST_STREAM frames) the
 *       connection is closed at once ({@code http2.outbound_flood}, {@code http2.outbound_control_flood}).</li>
 * </ul>
 *
 * <p>Netty's own limits stay configured as backstops (see {@link #codecBuilder}); Egret's checks run
 * first, so the stat is always counted. HPACK bombs are bounded by Netty's decoder, which measures the
 * decoded header list and stops keeping fields past the limit (the stream gets 431 and a reset); the
 * codec built by {@link #codecBuilder} counts them as {@code http2.header_overflow}.
 */
public final class Http2Guards extends ChannelDuplexHandler {
  /** How long the GOAWAY may take to leave before the connection is closed anyway. */
  static final long CLOSE_DELAY_MILLIS = 1000;
  private static final int CLIENT_PREFACE_BYTES = 24;
  /** Streams whose lifetime is tracked for the premature-reset rule at most (more are not tracked). */
  private static final int MAX_TRACKED_STREAMS = 4096;

  private Http2FloodLimits limits; // the premature-reset values may come from the server's runtime
  private final Http2Stats stats;
  private final StatCounter prematureResetsStat;
  private final long maxHeaderBlockBytes;
  private final LongSupplier nanoClock;
  private final Http2FrameScanner inbound = new Http2FrameScanner(CLIENT_PREFACE_BYTES, this::onInbound);
  private final Http2FrameScanner outbound = new Http2FrameScanner(0, this::onOutbound);
  private final TokenBucket pings;
  private final TokenBucket settings;
  private final RstWindow receivedResets;
  private final RstWindow sentResets;
  private final IntObjectHashMap<Long> openedAt = new IntObjectHashMap<>();

  private ChannelHandlerContext ctx;
  private boolean failed;
  private String failure;
  private int consecutiveEmpty;
  private int highestStreamId;
  private long openedStreams;
  private long priorityFrames;
  private long windowUpdates;
  private long dataFramesSent;
  private long headerBlockBytes;
  private int smallContinuations;
  private long closedStreams;
  private long prematureResets;
  private int queuedFrames;
  private int queuedControlFrames;
  private int batchFrames;
  private int batchControlFrames;

  /**
   * @param maxHeaderListBytes the connection manager's header list limit ({@code max_request_headers_kb})
   */
  public Http2Guards(Http2FloodLimits limits, HttpStats stats, int maxHeaderListBytes) {
    this(limits, stats.http2, stats.downstreamRqTooManyPrematureResets, maxHeaderListBytes, System::nanoTime);
  }

  Http2Guards(Http2FloodLimits limits, Http2Stats stats, StatCounter prematureResetsStat, int maxHeaderListBytes,
      LongSupplier nanoClock) {
    this.limits = requireNonNull(limits, "limits");
    this.stats = requireNonNull(stats, "stats");
    this.prematureResetsStat = requireNonNull(prematureResetsStat, "prematureResetsStat");
    this.maxHeaderBlockBytes = maxHeaderListBytes + maxHeaderListBytes / 4L;
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    long now = nanoClock.getAsLong();
    this.pings = new TokenBucket(limits.controlFrameBurst(), limits.controlFramesPerSecond(), now);
    this.settings = new TokenBucket(limits.controlFrameBurst(), limits.controlFramesPerSecond(), now);
    long window = TimeUnit.SECONDS.toNanos(limits.rstWindowSeconds());
    this.receivedResets = new RstWindow(limits.maxRstFramesPerWindow(), window);
    this.sentResets = new RstWindow(limits.maxRstFramesPerWindow(), window);
  }

  /**
   * A server codec builder whose Netty limits back Egret's up without ever tripping first: RST_STREAM
   * received or sent and queued control frames at twice Egret's (Netty's windows start a moment later,
   * and it checks what it sends before the frame reaches this guard), small CONTINUATION and empty DATA
   * frames one above Egret's (Netty counts them one frame earlier, or only DATA).
   * Its decoder counts header lists over the limit ({@code http2.header_overflow}).
   */
  public static Http2FrameCodecBuilder codecBuilder(Http2FloodLimits limits, Http2Stats stats) {
    return new CountingCodecBuilder(stats)
        .decoderEnforceMaxRstFramesPerWindow(2 * limits.maxRstFramesPerWindow(), limits.rstWindowSeconds())
        .encoderEnforceMaxRstFramesPerWindow(2 * limits.maxRstFramesPerWindow(), limits.rstWindowSeconds())
        .encoderEnforceMaxQueuedControlFrames(2 * limits.maxOutboundControlFrames())
        .decoderEnforceMaxSmallContinuationFrames(limits.maxSmallContinuationFrames() + 1)
        .decoderEnforceMaxConsecutiveEmptyDataFrames(limits.maxConsecutiveEmptyFrames() + 1);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    OverloadManagerRuntime overload = ctx.channel().attr(OverloadManagerRuntime.KEY).get();
    if (overload != null) { // runtime overload.premature_reset_* keys (layered_runtime)
      limits = overload.config().applyRuntime(limits);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int stopAt = inbound.scan(buf);
    if (stopAt < 0) {
      ctx.fireChannelRead(buf);
      return;
    }
    if (stopAt > 0) {
      ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), stopAt));
    }
    buf.release();
    goAway();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf) || failed) {
      ctx.write(msg, promise);
      return;
    }
    batchFrames = 0;
    batchControlFrames = 0;
    outbound.scan(buf);
    int frames = batchFrames;
    int control = batchControlFrames;
    if (frames == 0) {
      ctx.write(msg, promise);
      return;
    }
    queuedFrames += frames;
    queuedControlFrames += control;
    ChannelPromise p = promise.unvoid();
    p.addListener(f -> {
      queuedFrames -= frames;
      queuedControlFrames -= control;
    });
    ctx.write(msg, p);
    if (queuedControlFrames > limits.maxOutboundControlFrames()) {
      closeNow(stats.outboundControlFlood);
    } else if (queuedFrames > limits.maxOutboundFrames()) {
      closeNow(stats.outboundFlood);
    } else if (failure != null && !failed) {
      ctx.executor().execute(this::goAway); // a limit hit by what Egret sent (MadeYouReset)
    }
  }

  /** Frames queued (written, not yet taken by the socket), for tests. */
  int queuedFrames() {
    return queuedFrames;
  }

  private boolean onInbound(int type, int flags, int streamId, int length, long errorCode) {
    long now = nanoClock.getAsLong();
    if (type == Http2FrameScanner.DATA || type == Http2FrameScanner.HEADERS || type == Http2FrameScanner.CONTINUATION) {
      boolean endStream = type != Http2FrameScanner.CONTINUATION && (flags & Http2FrameScanner.FLAG_END_STREAM) != 0;
      if (length == 0 && !endStream) {
        if (++consecutiveEmpty > limits.maxConsecutiveEmptyFrames()) {
          return flood(stats.inboundEmptyFramesFlood, "too many consecutive frames with an empty payload");
        }
      } else {
        consecutiveEmpty = 0;
      }
    }
    switch (type) {
      case Http2FrameScanner.HEADERS -> {
        if ((streamId & 1) == 1 && streamId > highestStreamId) {
          highestStreamId = streamId;
          openedStreams++;
          if (openedAt.size() < MAX_TRACKED_STREAMS) {
            openedAt.put(streamId, Long.valueOf(now));
          }
        }
        headerBlockBytes = length;
        smallContinuations = 0;
      }
      case Http2FrameScanner.CONTINUATION -> {
        headerBlockBytes += length;
        if (headerBlockBytes > maxHeaderBlockBytes) {
          return flood(stats.headerOverflow, "header block larger than the header list limit");
        }
        if (length < limits.smallContinuationBytes() && ++smallContinuations > limits.maxSmallContinuationFrames()) {
          return flood(stats.inboundContinuationFlood, "too many small CONTINUATION frames");
        }
      }
      case Http2FrameScanner.PRIORITY -> {
        if (++priorityFrames > (long) limits.maxPriorityFramesPerStream() * (1 + openedStreams)) {
          return flood(stats.inboundPriorityFramesFlood, "too many PRIORITY frames");
        }
      }
      case Http2FrameScanner.RST_STREAM -> {
        stats.rxReset.inc();
        if (receivedResets.overLimit(now)) {
          return flood(stats.inboundRstFlood, "too many RST_STREAM frames");
        }
        Long opened = openedAt.remove(streamId);
        if (opened != null) {
          closedStreams++;
          if (now - opened < TimeUnit.MILLISECONDS.toNanos(limits.prematureResetMinLifetimeMillis())) {
            prematureResets++;
          }
          if (tooManyPrematureResets()) {
            return flood(prematureResetsStat, "too many streams reset prematurely");
          }
        }
      }
      case Http2FrameScanner.SETTINGS -> {
        if ((flags & Http2FrameScanner.FLAG_ACK) == 0 && !settings.take(now)) {
          return flood(stats.inboundSettingsFlood, "too many SETTINGS frames");
        }
      }
      case Http2FrameScanner.PING -> {
        if ((flags & Http2FrameScanner.FLAG_ACK) == 0 && !pings.take(now)) {
          return flood(stats.inboundPingFlood, "too many PING frames");
        }
      }
      case Http2FrameScanner.WINDOW_UPDATE -> {
        long budget = 5 + 2 * (openedStreams + (long) limits.maxWindowUpdatesPerDataFrameSent() * dataFramesSent);
        if (++windowUpdates > budget) {
          return flood(stats.inboundWindowUpdateFramesFlood, "too many WINDOW_UPDATE frames");
        }
      }
      default -> { }
    }
    return true;
  }

  /** Envoy's rule: judge at the stream-count threshold, or earlier when the outcome is already certain. */
  private boolean tooManyPrematureResets() {
    long threshold = limits.prematureResetTotalStreams();
    return closedStreams < threshold ? prematureResets * 2 >= threshold : prematureResets * 2 >= closedStreams;
  }

  private boolean onOutbound(int type, int flags, int streamId, int length, long errorCode) {
    batchFrames++;
    switch (type) {
      case Http2FrameScanner.RST_STREAM -> {
        batchControlFrames++;
        stats.txReset.inc();
        streamEnded(streamId);
        if (sentResets.overLimit(nanoClock.getAsLong()) && failure == null) {
          flood(stats.outboundRstFlood, "too many streams reset by Egret");
        }
      }
      case Http2FrameScanner.PING, Http2FrameScanner.SETTINGS -> batchControlFrames++;
      case Http2FrameScanner.DATA -> {
        dataFramesSent++;
        if ((flags & Http2FrameScanner.FLAG_END_STREAM) != 0) {
          streamEnded(streamId);
        }
      }
      case Http2FrameScanner.HEADERS -> {
        if ((flags & Http2FrameScanner.FLAG_END_STREAM) != 0) {
          streamEnded(streamId);
        }
      }
      default -> { }
    }
    return true;
  }

  /** Egret ended or reset the stream: it closes normally for the premature-reset count. */
  private void streamEnded(int streamId) {
    if (openedAt.remove(streamId) != null) {
      closedStreams++;
    }
  }

  private boolean flood(StatCounter stat, String why) {
    stat.inc();
    failure = why;
    return false;
  }

  /**
   * Stops reading the peer and has the codec write GOAWAY(ENHANCE_YOUR_CALM) with the last stream it
   * processed, then closes; not through the codec's error path, which would also log the error at the
   * pipeline's tail (one log line per attacking connection).
   */
  private void goAway() {
    if (failed) {
      return;
    }
    failed = true;
    Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
    ChannelHandlerContext codecCtx = codec == null ? null : ctx.pipeline().context(codec);
    if (codecCtx == null) {
      ctx.close();
      return;
    }
    ByteBuf debugData = ByteBufUtil.writeUtf8(ctx.alloc(), failure);
    codec.goAway(codecCtx, codec.connection().remote().lastStreamCreated(), Http2Error.ENHANCE_YOUR_CALM.code(),
        debugData, codecCtx.newPromise()).addListener(f -> ctx.close());
    codecCtx.flush();
    ctx.executor().schedule(() -> {
      ctx.close(); // the GOAWAY could not be written in time
    }, CLOSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The peer does not read: a GOAWAY would only queue behind the rest, so close at once. */
  private void closeNow(StatCounter stat) {
    if (failed) {
      return;
    }
    failed = true;
    stat.inc();
    ctx.executor().execute(() -> ctx.close());
  }

  /** Netty's {@code decoderEnforceMaxRstFramesPerWindow} rule: a fixed window opened by its first frame. */
  private static final class RstWindow {
    private final int max;
    private final long windowNanos;
    private long start;
    private int count;
    private boolean started;

    RstWindow(int max, long windowNanos) {
      this.max = max;
      this.windowNanos = windowNanos;
    }

    boolean overLimit(long now) {
      if (!started || now - start >= windowNanos) {
        started = true;
        start = now;
        count = 1;
        return count > max;
      }
      return ++count > max;
    }
  }

  /** Allows {@code burst} at once and {@code perSecond} sustained. */
  private static final class TokenBucket {
    private final double burst;
    private final double perNano;
    private double tokens;
    private long last;

    TokenBucket(int burst, int perSecond, long now) {
      this.burst = burst;
      this.perNano = perSecond / 1e9;
      this.tokens = burst;
      this.last = now;
    }

    boolean take(long now) {
      tokens = Math.min(burst, tokens + (now - last) * perNano);
      last = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }

  /** {@link Http2FrameCodecBuilder#forServer()} whose decoder counts header lists over the limit. */
  private static final class CountingCodecBuilder extends Http2FrameCodecBuilder {
    private final Http2Stats stats;

    CountingCodecBuilder(Http2Stats stats) {
      this.stats = stats;
      server(true);
      gracefulShutdownTimeoutMillis(0);
    }

    @Override
    protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings initialSettings) {
      return super.build(new DecoratingHttp2ConnectionDecoder(decoder) {
        @Override
        public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
          try {
            super.decodeFrame(ctx, in, out);
          } catch (Http2Exception.HeaderListSizeException e) {
            stats.headerOverflow.inc();
            throw e;
          }
        }
      }, encoder, initialSettings);
    }
  }
}
