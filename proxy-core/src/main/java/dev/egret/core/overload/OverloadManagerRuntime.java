package dev.egret.core.overload;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.HttpStats;
import dev.egret.core.stats.ListenerStats;
import dev.egret.core.stats.Stats;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The running overload manager of one server: it samples heap use every {@code refresh_interval},
 * turns the pressure into each action's value through its triggers, and answers the questions the
 * data path asks: may this connection be accepted (connection limits, {@code reject_incoming_connections}),
 * may this request start ({@code stop_accepting_requests}), may this connection be kept alive
 * ({@code disable_http_keepalive}). {@code stop_accepting_connections} pauses accepting on every bound
 * listener (the kernel backlog holds new connections) until the pressure falls.
 *
 * <p>Heap pressure is the JVM's used heap (live objects and not yet collected garbage) over
 * {@code max_heap_size_bytes}; thresholds should leave room for that (hardening.md §9.4: shrink at 0.95,
 * stop requests at 0.98 of the heap budget). Thread safe: action values are volatile, counts atomic.
 */
public final class OverloadManagerRuntime implements AutoCloseable {
  public static final String STOP_ACCEPTING_REQUESTS = "envoy.overload_actions.stop_accepting_requests";
  public static final String STOP_ACCEPTING_CONNECTIONS = "envoy.overload_actions.stop_accepting_connections";
  public static final String REJECT_INCOMING_CONNECTIONS = "envoy.overload_actions.reject_incoming_connections";
  public static final String DISABLE_HTTP_KEEPALIVE = "envoy.overload_actions.disable_http_keepalive";
  /** Set on every accepted connection. */
  public static final AttributeKey<OverloadManagerRuntime> KEY = AttributeKey.valueOf("egret.overload");
  private static final AttributeKey<AtomicBoolean> GOAWAY_SENT = AttributeKey.valueOf("egret.overload.goaway");

  /** What a new request may do. */
  public enum Verdict {
    /** Serve it. */
    ACCEPT,
    /** Serve it, then close the connection (HTTP/1) — keep-alive is disabled. */
    CLOSE_AFTER,
    /** Answer 503 {@code envoy overloaded}, flag {@code OM}. */
    REJECT
  }

  private final OverloadConfig config;
  private final LongSupplier heapUsedBytes;
  private final AtomicLong globalConnections = new AtomicLong();
  private final Map<String, AtomicLong> listenerConnections = new ConcurrentHashMap<>();
  private final List<Channel> acceptors = new CopyOnWriteArrayList<>();
  private final Map<String, double[]> actionValues = new ConcurrentHashMap<>();
  private volatile double pressure;
  private volatile boolean pausedAccepting;
  private ScheduledFuture<?> refresh;

  /** Samples the JVM heap. */
  public OverloadManagerRuntime(OverloadConfig config, Stats stats) {
    this(config, stats, heapSampler());
  }

  /** With another source of the used heap (tests). */
  public OverloadManagerRuntime(OverloadConfig config, Stats stats, LongSupplier heapUsedBytes) {
    this.config = requireNonNull(config, "config");
    this.heapUsedBytes = requireNonNull(heapUsedBytes, "heapUsedBytes");
    requireNonNull(stats, "stats");
    for (String action : config.actions().keySet()) {
      double[] v = new double[1];
      actionValues.put(action, v);
      Gauge.builder("envoy.overload." + action + ".active", v, a -> a[0] >= 1.0 ? 1 : 0)
          .strongReference(true).register(stats.registry());
      Gauge.builder("envoy.overload." + action + ".scale_percent", v, a -> Math.round(a[0] * 100))
          .strongReference(true).register(stats.registry());
    }
    if (config.maxHeapBytes() > 0) {
      Gauge.builder("envoy.overload." + OverloadCompiler.FIXED_HEAP + ".pressure", this,
          o -> Math.round(o.pressure * 100)).strongReference(true).register(stats.registry());
    }
    refreshNow();
  }

  private static LongSupplier heapSampler() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    return () -> memory.getHeapMemoryUsage().getUsed();
  }

  public OverloadConfig config() {
    return config;
  }

  /** Samples now, then every {@code refresh_interval} on {@code loop} (only when a heap monitor drives actions). */
  public void start(EventLoop loop) {
    if (config.maxHeapBytes() > 0 && !config.actions().isEmpty() && refresh == null) {
      refresh = loop.scheduleAtFixedRate(this::refreshNow, config.refreshMillis(), config.refreshMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Recomputes the pressure and every action's value. */
  public void refreshNow() {
    if (config.maxHeapBytes() <= 0) {
      return;
    }
    double p = (double) heapUsedBytes.getAsLong() / config.maxHeapBytes();
    pressure = p;
    for (Map.Entry<String, List<Trigger>> e : config.actions().entrySet()) {
      double v = 0;
      for (Trigger t : e.getValue()) {
        v = Math.max(v, t.value(p));
      }
      actionValues.get(e.getKey())[0] = v;
    }
    boolean pause = saturated(STOP_ACCEPTING_CONNECTIONS);
    if (pause != pausedAccepting) {
      pausedAccepting = pause;
      for (Channel server : acceptors) {
        server.config().setAutoRead(!pause);
      }
    }
  }

  /** The last sampled heap pressure (used / max), 0 without a heap monitor. */
  public double pressure() {
    return pressure;
  }

  /** The current value (0..1) of an action; 0 when it is not configured. */
  public double value(String action) {
    double[] v = actionValues.get(action);
    return v == null ? 0 : v[0];
  }

  private boolean saturated(String action) {
    return value(action) >= 1.0;
  }

  /** A bound listener's accepting channel, paused while {@code stop_accepting_connections} is saturated. */
  public void registerAcceptor(Channel serverChannel) {
    acceptors.add(serverChannel);
    serverChannel.closeFuture().addListener(f -> acceptors.remove(serverChannel));
    if (pausedAccepting) {
      serverChannel.config().setAutoRead(false);
    }
  }

  /**
   * Admits a newly accepted connection of listener {@code listener}, or counts why not and returns
   * false (the caller closes it): {@code reject_incoming_connections} saturated
   * ({@code downstream_cx_overload_reject}), the listener's connection limit
   * ({@code downstream_cx_overflow}), the global limit ({@code downstream_global_cx_overflow}). An
   * admitted connection is counted until it closes and carries this manager as {@link #KEY}.
   */
  public boolean admit(Channel ch, String listener, ListenerStats stats) {
    if (saturated(REJECT_INCOMING_CONNECTIONS)) {
      stats.downstreamCxOverloadReject.inc();
      return false;
    }
    Long limit = config.listenerConnectionLimits().get(listener);
    AtomicLong mine = null;
    if (limit != null) {
      mine = listenerConnections.computeIfAbsent(listener, n -> new AtomicLong());
      if (mine.incrementAndGet() > limit) {
        mine.decrementAndGet();
        stats.downstreamCxOverflow.inc();
        return false;
      }
    }
    if (globalConnections.incrementAndGet() > config.maxGlobalConnections()) {
      globalConnections.decrementAndGet();
      if (mine != null) {
        mine.decrementAndGet();
      }
      stats.downstreamGlobalCxOverflow.inc();
      return false;
    }
    AtomicLong counted = mine;
    ch.closeFuture().addListener(f -> {
      globalConnections.decrementAndGet();
      if (counted != null) {
        counted.decrementAndGet();
      }
    });
    ch.attr(KEY).set(this);
    return true;
  }

  /** Marks an in-process connection (internal listener): request-level actions only, no limits. */
  public void attach(Channel ch) {
    ch.attr(KEY).set(this);
  }

  /** Connections admitted and still open, on all listeners. */
  public long activeConnections() {
    return globalConnections.get();
  }

  /**
   * Decides whether a request arriving on {@code channel} (a connection, or an HTTP/2 stream whose
   * parent is the connection) may start, counting {@code downstream_rq_overload_close} or
   * {@code downstream_cx_overload_disable_keepalive}. Disabling keep-alive on HTTP/2 sends one
   * GOAWAY(NO_ERROR) on the connection: streams it already carries finish, new ones go elsewhere.
   */
  public static Verdict onRequest(Channel channel, HttpStats stats) {
    Channel connection = channel.parent() != null && channel.attr(KEY).get() == null ? channel.parent() : channel;
    OverloadManagerRuntime om = connection.attr(KEY).get();
    if (om == null) {
      return Verdict.ACCEPT;
    }
    if (om.saturated(STOP_ACCEPTING_REQUESTS)) {
      stats.downstreamRqOverloadClose.inc();
      return Verdict.REJECT;
    }
    double keepalive = om.value(DISABLE_HTTP_KEEPALIVE);
    if (keepalive <= 0 || (keepalive < 1.0 && ThreadLocalRandom.current().nextDouble() >= keepalive)) {
      return Verdict.ACCEPT;
    }
    stats.downstreamCxOverloadDisableKeepalive.inc();
    if (connection == channel) {
      return Verdict.CLOSE_AFTER;
    }
    AtomicBoolean sent = connection.attr(GOAWAY_SENT).setIfAbsent(new AtomicBoolean(true));
    if (sent == null) {
      connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    }
    return Verdict.ACCEPT;
  }

  @Override
  public void close() {
    if (refresh != null) {
      refresh.cancel(false);
    }
  }
}
