package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.ClusterStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * Envoy's consecutive-failure outlier detection for one cluster (see {@link OutlierDetection} for the
 * settings). The router reports each attempt's outcome for its host: a response status through {@link
 * #reportHttpStatus}, a connection-level outcome through {@link #reportLocalOrigin}.
 *
 * <p>Counting, per host: a 5xx adds to the consecutive-5xx count; 502, 503 and 504 also add to the
 * consecutive-gateway-failure count (another 5xx zeroes that one); any other status zeroes both. With
 * {@code split_external_local_origin_errors} a connect failure, reset or timeout adds to the
 * consecutive-local-origin count and an established connection zeroes it; without it, they count as
 * a 503 (connect failure, reset) or 504 (timeout) response. When a count reaches its threshold the
 * host is detected as an outlier and the count starts over.
 *
 * <p>Ejection: a detected host is ejected when, counting it, no more than {@code max_ejection_percent}
 * of the cluster's hosts would be ejected (or none is and {@code always_eject_one_host} is set;
 * otherwise {@code ejections_overflow}), and then with the detector's enforcing probability. An
 * ejected host carries {@link Host#failedOutlierCheck()} and the load balancer skips it. Its ejection
 * lasts {@code min(base_ejection_time × backoff, max_ejection_time)} plus a random jitter, where the
 * back-off grows by one at each ejection and shrinks by one each {@code interval} the host spends
 * un-ejected. Un-ejection happens in {@link #onInterval()}, which the cluster runs every {@code
 * interval}, and zeroes the host's counts.
 *
 * <p>Thread-safety: reports come from any event loop and only touch per-host atomics until a
 * threshold is hit; ejection, un-ejection and membership changes take the detector's lock. Listeners
 * are told after the lock is released.
 */
public final class OutlierDetector {
  private static final Logger LOG = Logger.getLogger(OutlierDetector.class.getName());

  /** A connection-level outcome of one attempt (Envoy's local-origin results). */
  public enum LocalOriginResult {
    /** A stream was obtained on a connection to the host. */
    CONNECT_SUCCESS,
    /** The connection could not be made, or the stream was reset before a response. */
    CONNECT_FAILED,
    /** The attempt timed out waiting for the response. */
    TIMEOUT
  }

  /** Told when a host is ejected or returned to service (on the thread that decided it, lock released). */
  public interface Listener {
    void onEjected(Host host);

    default void onUnejected(Host host) {}
  }

  private enum Kind { CONSECUTIVE_5XX, CONSECUTIVE_GATEWAY_FAILURE, CONSECUTIVE_LOCAL_ORIGIN_FAILURE }

  /** One host's state: counts are atomics, the rest is guarded by the detector's lock. */
  private static final class Monitor {
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGateway = new AtomicInteger();
    final AtomicInteger consecutiveLocal = new AtomicInteger();
    int backoff;
    long lastEjectionNanos;
    boolean unejectedOnce;
    long lastUnejectionNanos;
    long jitterNanos;
    int ejections;

    void resetCounts() {
      consecutive5xx.set(0);
      consecutiveGateway.set(0);
      consecutiveLocal.set(0);
    }
  }

  private final OutlierDetection config; // null: disabled
  private final ClusterStats stats;
  private final LongSupplier nanoClock;
  private final RandomGenerator random; // null: ThreadLocalRandom
  private final Map<Host, Monitor> monitors = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private int ejected; // guarded by this

  /**
   * @param config    the settings, or null for a detector that ignores every report
   * @param stats     where {@code outlier_detection.*} is counted
   * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime} outside tests)
   * @param random    enforcing and jitter draws (thread-safe), or null for {@link ThreadLocalRandom}
   */
  public OutlierDetector(OutlierDetection config, ClusterStats stats, LongSupplier nanoClock,
      RandomGenerator random) {
    this.config = config;
    this.stats = requireNonNull(stats, "stats");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.random = random;
  }

  /** Whether the cluster configures {@code outlier_detection}. */
  public boolean enabled() {
    return config != null;
  }

  /** The settings, or null when disabled. */
  public OutlierDetection config() {
    return config;
  }

  public void addListener(Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Hosts currently ejected. */
  public synchronized int ejectedCount() {
    return ejected;
  }

  /** Times {@code host} was ejected (0 for an unknown host). */
  public synchronized int ejections(Host host) {
    Monitor m = monitors.get(host);
    return m == null ? 0 : m.ejections;
  }

  /** The response status an attempt to {@code host} got (1xx excluded). */
  public void reportHttpStatus(Host host, int status) {
    if (config == null) {
      return;
    }
    Monitor m = monitors.get(host);
    if (m != null) {
      putStatus(host, m, status);
    }
  }

  /** A connection-level outcome of an attempt to {@code host}. */
  public void reportLocalOrigin(Host host, LocalOriginResult result) {
    if (config == null) {
      return;
    }
    Monitor m = monitors.get(host);
    if (m == null) {
      return;
    }
    if (config.splitExternalLocalOriginErrors()) {
      if (result == LocalOriginResult.CONNECT_SUCCESS) {
        m.consecutiveLocal.set(0);
      } else if (m.consecutiveLocal.incrementAndGet() == config.consecutiveLocalOriginFailure()) {
        detected(host, Kind.CONSECUTIVE_LOCAL_ORIGIN_FAILURE);
      }
      return;
    }
    switch (result) {
      case CONNECT_FAILED -> putStatus(host, m, 503);
      case TIMEOUT -> putStatus(host, m, 504);
      default -> { } // a connection says nothing about the response to come
    }
  }

  private void putStatus(Host host, Monitor m, int status) {
    if (status >= 500 && status <= 599) {
      if (status >= 502 && status <= 504) {
        if (m.consecutiveGateway.incrementAndGet() == config.consecutiveGatewayFailure()) {
          detected(host, Kind.CONSECUTIVE_GATEWAY_FAILURE);
        }
      } else {
        m.consecutiveGateway.set(0);
      }
      if (m.consecutive5xx.incrementAndGet() == config.consecutive5xx()) {
        detected(host, Kind.CONSECUTIVE_5XX);
      }
    } else {
      m.consecutive5xx.set(0);
      m.consecutiveGateway.set(0);
    }
  }

  /** A count reached its threshold: eject if allowed, then start that count over. */
  private void detected(Host host, Kind kind) {
    boolean ejectedNow;
    synchronized (this) {
      Monitor m = monitors.get(host);
      if (m == null || host.failedOutlierCheck()) {
        return;
      }
      switch (kind) {
        case CONSECUTIVE_5XX -> stats.outlierEjectionsDetectedConsecutive5xx.inc();
        case CONSECUTIVE_GATEWAY_FAILURE -> stats.outlierEjectionsDetectedConsecutiveGatewayFailure.inc();
        case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> stats.outlierEjectionsDetectedConsecutiveLocalOriginFailure.inc();
      }
      ejectedNow = eject(host, m, kind);
      switch (kind) {
        case CONSECUTIVE_5XX -> m.consecutive5xx.set(0);
        case CONSECUTIVE_GATEWAY_FAILURE -> m.consecutiveGateway.set(0);
        case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> m.consecutiveLocal.set(0);
      }
    }
    if (ejectedNow) {
      for (Listener l : listeners) {
        try {
          l.onEjected(host);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "outlier listener failed on ejecting " + host, e);
        }
      }
    }
  }

  /** Under the lock. */
  private boolean eject(Host host, Monitor m, Kind kind) {
    double percent = 100.0 * (ejected + 1) / monitors.size();
    boolean allowed = percent <= config.maxEjectionPercent() || (config.alwaysEjectOneHost() && ejected == 0);
    if (!allowed) {
      stats.outlierEjectionsOverflow.inc();
      return false;
    }
    int enforcing = switch (kind) {
      case CONSECUTIVE_5XX -> config.enforcingConsecutive5xx();
      case CONSECUTIVE_GATEWAY_FAILURE -> config.enforcingConsecutiveGatewayFailure();
      case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> config.enforcingConsecutiveLocalOriginFailure();
    };
    if (enforcing <= 0 || (enforcing < 100 && rng().nextInt(100) >= enforcing)) {
      return false;
    }
    ejected++;
    stats.outlierEjectionsActive.inc();
    stats.outlierEjectionsEnforcedTotal.inc();
    switch (kind) {
      case CONSECUTIVE_5XX -> stats.outlierEjectionsEnforcedConsecutive5xx.inc();
      case CONSECUTIVE_GATEWAY_FAILURE -> stats.outlierEjectionsEnforcedConsecutiveGatewayFailure.inc();
      case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> stats.outlierEjectionsEnforcedConsecutiveLocalOriginFailure.inc();
    }
    host.setFailedOutlierCheck(true);
    m.ejections++;
    m.lastEjectionNanos = nanoClock.getAsLong();
    long maxJitter = config.maxEjectionTimeJitter().toNanos();
    m.jitterNanos = maxJitter <= 0 ? 0 : rng().nextLong(maxJitter + 1);
    long base = config.baseEjectionTime().toNanos();
    if ((long) m.backoff * base < config.maxEjectionTime().toNanos() + base) {
      m.backoff++;
    }
    return true;
  }

  private RandomGenerator rng() {
    return random != null ? random : ThreadLocalRandom.current();
  }

  /**
   * The periodic sweep: returns hosts whose ejection time is up to service, and lowers the back-off
   * of hosts that stayed in service for an interval since their last un-ejection.
   */
  public void onInterval() {
    if (config == null) {
      return;
    }
    List<Host> unejected = new ArrayList<>();
    synchronized (this) {
      long now = nanoClock.getAsLong();
      long base = config.baseEjectionTime().toNanos();
      long max = config.maxEjectionTime().toNanos();
      for (Map.Entry<Host, Monitor> e : monitors.entrySet()) {
        Host h = e.getKey();
        Monitor m = e.getValue();
        if (h.failedOutlierCheck()) {
          long duration = Math.min(base * m.backoff, max) + m.jitterNanos;
          if (now - m.lastEjectionNanos >= duration) {
            uneject(h, m, now);
            unejected.add(h);
          }
        } else if (m.unejectedOnce && m.backoff > 0 && now - m.lastUnejectionNanos >= config.interval().toNanos()) {
          m.backoff--;
        }
      }
    }
    for (Host h : unejected) {
      for (Listener l : listeners) {
        try {
          l.onUnejected(h);
        } catch (RuntimeException ex) {
          LOG.log(Level.WARNING, "outlier listener failed on un-ejecting " + h, ex);
        }
      }
    }
  }

  private void uneject(Host h, Monitor m, long now) {
    ejected--;
    stats.outlierEjectionsActive.dec();
    h.setFailedOutlierCheck(false);
    m.resetCounts();
    m.unejectedOnce = true;
    m.lastUnejectionNanos = now;
  }

  /**
   * The cluster's membership changed: added hosts are watched from now on; removed hosts are
   * forgotten (an ejected one stops counting as ejected).
   */
  public synchronized void hostsChanged(List<Host> added, List<Host> removed) {
    if (config == null) {
      return;
    }
    for (Host h : added) {
      monitors.putIfAbsent(h, new Monitor());
    }
    for (Host h : removed) {
      if (monitors.remove(h) != null && h.failedOutlierCheck()) {
        ejected--;
        stats.outlierEjectionsActive.dec();
        h.setFailedOutlierCheck(false);
      }
    }
  }
}
