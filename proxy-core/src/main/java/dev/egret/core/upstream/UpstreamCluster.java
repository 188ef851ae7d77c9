package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.ClusterStats;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * A cluster at run time: its compiled {@link ClusterConfig}, the current {@link HostSet} and the load
 * balancer that picks from it.
 *
 * <p>A STATIC cluster has its hosts from the moment it is built. A DNS cluster starts empty; {@link
 * #start(EventLoop)} begins background resolution on the given loop (see {@link DnsDiscovery}), and
 * {@link #initialized()} completes once every endpoint has been looked up once (successfully or not),
 * which is when Envoy considers such a cluster warm. {@link #close()} stops resolution.
 *
 * <p>With {@code outlier_detection} the cluster runs an {@link OutlierDetector}: its sweep runs every
 * {@code interval} on the loop given to {@link #start}, and the balancer picks from the hosts it has
 * not ejected (see {@link #chooseHost()}).
 *
 * <p>{@link #hosts()} and {@link #chooseHost()} may be called from any thread; snapshots are published
 * through a volatile field and never change.
 */
public final class UpstreamCluster implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UpstreamCluster.class.getName());

  private final ClusterConfig config;
  private final DnsResolverFactory dns;
  private final ClusterStats stats;
  private final LoadBalancer balancer;
  private final List<HostSetListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  private final OutlierDetector outlier;
  private final Object eligibleLock = new Object();
  private volatile HostSet hosts = HostSet.EMPTY;
  private Map<Endpoint, Host> edsHosts = Map.of(); // guarded by eligibleLock: the last EDS assignment
  private volatile Eligible eligible = new Eligible(HostSet.EMPTY, false);
  private DnsDiscovery discovery; // guarded by this
  private ScheduledFuture<?> outlierTimer; // guarded by this
  private ScheduledFuture<?> cleanupTimer; // guarded by this; ORIGINAL_DST only
  /** ORIGINAL_DST hosts by destination, made on first use and forgotten when idle. */
  private final java.util.concurrent.ConcurrentHashMap<InetSocketAddress, Host> originalDstHosts =
      new java.util.concurrent.ConcurrentHashMap<>();
  private boolean started; // guarded by this
  private boolean closed; // guarded by this

  /** The hosts the balancer picks from, and whether that is all hosts because too few are healthy. */
  private record Eligible(HostSet hosts, boolean panic) {}

  private UpstreamCluster(ClusterConfig config, DnsResolverFactory dns, Stats stats, RandomGenerator random,
      LongSupplier nanoClock) {
    this.config = requireNonNull(config, "config");
    this.dns = requireNonNull(dns, "dns");
    this.stats = requireNonNull(stats, "stats").cluster(config.statName());
    this.balancer = LoadBalancer.create(config.lbPolicy(), config.choiceCount(), random);
    this.outlier = new OutlierDetector(config.outlierDetection(), this.stats, nanoClock, random);
    outlier.addListener(new OutlierDetector.Listener() {
      @Override
      public void onEjected(Host host) {
        recomputeEligible();
      }

      @Override
      public void onUnejected(Host host) {
        recomputeEligible();
      }
    });
    if (config.type() == DiscoveryType.STATIC) {
      List<Host> list = new ArrayList<>();
      for (Endpoint e : config.endpoints()) {
        list.add(new Host(e));
      }
      if (!list.isEmpty()) {
        publish(list);
      }
      initialized.complete(null);
    }
  }

  /**
   * Compiles an Envoy cluster. Errors are reported at {@code at} (with their field paths, naming the
   * cluster) and the result is then null; the caller decides when to throw ({@link ConfigPath#throwIfErrors()}).
   *
   * @param dns   makes the resolver of a DNS cluster when it is {@linkplain #start started}
   * @param stats where {@code cluster.<stat name>.*} is kept
   */
  public static UpstreamCluster compile(Cluster proto, ConfigPath at, DnsResolverFactory dns, Stats stats) {
    return compile(proto, at, dns, stats, null);
  }

  /** As {@link #compile(Cluster, ConfigPath, DnsResolverFactory, Stats)}, with the balancer's random source. */
  public static UpstreamCluster compile(Cluster proto, ConfigPath at, DnsResolverFactory dns, Stats stats,
      RandomGenerator random) {
    requireNonNull(proto, "proto");
    requireNonNull(at, "at");
    ClusterConfig config = ClusterCompiler.compile(proto, at.resource(proto.getName()));
    return config == null ? null : create(config, dns, stats, random);
  }

  /** A cluster for an already compiled config; {@code random} null uses {@link java.util.concurrent.ThreadLocalRandom}. */
  public static UpstreamCluster create(ClusterConfig config, DnsResolverFactory dns, Stats stats,
      RandomGenerator random) {
    return new UpstreamCluster(config, dns, stats, random, System::nanoTime);
  }

  /** As {@link #create(ClusterConfig, DnsResolverFactory, Stats, RandomGenerator)}, with outlier detection's clock. */
  public static UpstreamCluster create(ClusterConfig config, DnsResolverFactory dns, Stats stats,
      RandomGenerator random, LongSupplier nanoClock) {
    return new UpstreamCluster(config, dns, stats, random, requireNonNull(nanoClock, "nanoClock"));
  }

  public ClusterConfig config() {
    return config;
  }

  /**
   * Compiles the endpoints of an EDS {@code ClusterLoadAssignment} (IP addresses only); returns null
   * after recording errors at {@code at}.
   */
  public static List<Endpoint> compileAssignment(
      io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment la, ConfigPath at) {
    requireNonNull(la, "la");
    int before = at.errorCount();
    List<Endpoint> out = ClusterCompiler.assignment(la, DiscoveryType.EDS, at);
    return at.errorCount() > before ? null : out;
  }

  /**
   * Replaces the hosts of an EDS cluster with {@code endpoints}: a host whose endpoint (address,
   * weight, metadata) stays keeps its {@link Host} object (so its counters and connections survive), the others are made
   * anew. Marks the cluster {@linkplain #initialized() warm}. Any thread.
   *
   * @throws IllegalStateException if the cluster is not of type EDS
   */
  public void assign(List<Endpoint> endpoints) {
    requireNonNull(endpoints, "endpoints");
    if (config.type() != DiscoveryType.EDS) {
      throw new IllegalStateException("cluster " + name() + " is " + config.type() + ", not EDS");
    }
    synchronized (eligibleLock) {
      Map<Endpoint, Host> next = new java.util.LinkedHashMap<>();
      for (Endpoint e : endpoints) {
        if (!next.containsKey(e)) {
          Host h = edsHosts.get(e);
          next.put(e, h != null ? h : new Host(e));
        }
      }
      edsHosts = next;
      publish(new ArrayList<>(next.values()));
    }
    initialized.complete(null);
  }

  public String name() {
    return config.name();
  }

  /** {@code alt_stat_name}, empty when unset. */
  public String altStatName() {
    return config.altStatName();
  }

  public ClusterStats stats() {
    return stats;
  }

  /** The current hosts. */
  public HostSet hosts() {
    return hosts;
  }

  /** The outlier detector (one that ignores reports when the cluster has no {@code outlier_detection}). */
  public OutlierDetector outlier() {
    return outlier;
  }

  /**
   * A host for a new request by the cluster's LB policy, or null when the cluster has none (503 {@code
   * UH}). Hosts ejected by outlier detection are skipped, unless fewer than {@code
   * healthy_panic_threshold} percent of the hosts are left: then every host is eligible ({@code
   * lb_healthy_panic}), as in Envoy. With a threshold of 0 and every host ejected, there is none.
   */
  /**
   * The host for one request or connection: for an ORIGINAL_DST cluster the destination
   * {@code ctx} names (a host made on first use), else the balancer's pick as {@link #chooseHost()}.
   */
  public Host chooseHost(LbContext ctx) {
    OriginalDst od = config.originalDst();
    if (od == null) {
      return chooseHost();
    }
    InetSocketAddress dst = od.destination(ctx);
    if (dst == null) {
      return null;
    }
    Host h = originalDstHosts.get(dst);
    if (h != null) {
      return h;
    }
    synchronized (eligibleLock) {
      h = originalDstHosts.computeIfAbsent(dst, Host::of);
      publish(List.copyOf(originalDstHosts.values()));
    }
    return h;
  }

  /** Forgets ORIGINAL_DST hosts with nothing in flight and no connection (Envoy's cleanup_interval). */
  private void cleanupOriginalDst() {
    synchronized (eligibleLock) {
      boolean removed = originalDstHosts.values().removeIf(h -> h.activeRequests() == 0 && h.connectionsActive() == 0);
      if (removed) {
        publish(List.copyOf(originalDstHosts.values()));
      }
    }
  }

  public Host chooseHost() {
    Eligible e = eligible;
    if (e.panic) {
      stats.lbHealthyPanic.inc();
    }
    return balancer.choose(e.hosts);
  }

  /** Recomputes the balancer's snapshot from the current hosts and their ejection flags. */
  private void recomputeEligible() {
    synchronized (eligibleLock) {
      HostSet all = hosts;
      List<Host> healthy = new ArrayList<>(all.size());
      for (Host h : all.hosts()) {
        if (!h.failedOutlierCheck()) {
          healthy.add(h);
        }
      }
      if (healthy.size() == all.size()) {
        eligible = new Eligible(all, false);
      } else if (100.0 * healthy.size() / all.size() < config.healthyPanicThreshold()) {
        eligible = new Eligible(all, true);
      } else {
        eligible = new Eligible(HostSet.of(healthy), false);
      }
    }
  }

  /**
   * Completes when the cluster is warm: at once for STATIC; for DNS clusters once every endpoint has
   * been looked up once, successfully or not. Completed on the DNS loop.
   */
  public CompletableFuture<Void> initialized() {
    return initialized;
  }

  /**
   * Starts DNS resolution on {@code dnsLoop}, through the cluster's own name servers when it names
   * some ({@link DnsSettings#resolvers()}), else through the factory it was built with; nothing for a
   * STATIC cluster. At most once.
   */
  public synchronized void start(EventLoop dnsLoop) {
    requireNonNull(dnsLoop, "dnsLoop");
    if (started || closed) {
      throw new IllegalStateException("cluster " + name() + (closed ? " is closed" : " already started"));
    }
    started = true;
    if (outlier.enabled()) {
      long every = outlier.config().interval().toNanos();
      outlierTimer = dnsLoop.scheduleWithFixedDelay(this::outlierSweep, every, every, TimeUnit.NANOSECONDS);
    }
    if (config.type() == DiscoveryType.ORIGINAL_DST) {
      long every = config.originalDst().cleanupInterval().toNanos();
      cleanupTimer = dnsLoop.scheduleWithFixedDelay(this::cleanupOriginalDst, every, every, TimeUnit.NANOSECONDS);
      initialized.complete(null);
    } else if (config.type() != DiscoveryType.STATIC && config.type() != DiscoveryType.EDS) {
      discovery = new DnsDiscovery(this, dnsLoop, config.dns().resolverOr(dns).create(dnsLoop));
      discovery.start();
    }
  }

  /** Stops DNS resolution. Hosts stay as they are; listeners are not told anything more. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (outlierTimer != null) {
      outlierTimer.cancel(false);
    }
    if (cleanupTimer != null) {
      cleanupTimer.cancel(false);
    }
    if (discovery != null) {
      discovery.close();
    }
  }

  private void outlierSweep() {
    try {
      outlier.onInterval();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "outlier detection sweep of cluster " + name() + " failed", e);
    }
  }

  /** Registers a listener for membership changes from now on. */
  public void addHostSetListener(HostSetListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Unregisters a listener; returns whether it was registered. */
  public boolean removeHostSetListener(HostSetListener listener) {
    return listeners.remove(listener);
  }

  void markInitialized() {
    initialized.complete(null);
  }

  /** Publishes a new membership (called by STATIC construction and on the DNS loop). */
  void publish(List<Host> next) {
    HostSet old = hosts;
    HostSet now = HostSet.of(next);
    Map<Host, Boolean> before = new IdentityHashMap<>();
    for (Host h : old.hosts()) {
      before.put(h, Boolean.TRUE);
    }
    List<Host> added = new ArrayList<>();
    for (Host h : now.hosts()) {
      if (before.remove(h) == null) {
        added.add(h);
      }
    }
    List<Host> removed = List.copyOf(before.keySet());
    hosts = now;
    outlier.hostsChanged(added, removed);
    recomputeEligible();
    stats.membershipChange.inc();
    for (HostSetListener l : listeners) {
      try {
        l.onHostsChanged(now, List.copyOf(added), removed);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "host set listener of cluster " + name() + " failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "UpstreamCluster{" + name() + ", " + config.type() + ", " + hosts + "}";
  }
}
