package dev.egret.core;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.admin.AdminServer;
import dev.egret.core.config.ConfigCompiler;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.RuntimeConfig;
import dev.egret.core.dynamic.ResourceManager;
import dev.egret.core.dynamic.XdsClientFactory;
import dev.egret.core.internal.InternalListeners;
import dev.egret.core.listener.ListenerConfig;
import dev.egret.core.listener.ListenerRuntime;
import dev.egret.core.overload.OverloadManagerRuntime;
import dev.egret.core.stats.Stats;
import dev.egret.core.upstream.DnsResolverFactory;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Egret: event loops, the compiled configuration, bound listeners, the admin server and
 * the access-log writer. {@link #start} compiles the whole bootstrap first and binds nothing if any
 * part of it is invalid.
 */
public final class EgretServer implements AutoCloseable {
  private final Stats stats;
  private final AccessLogWriter accessLogWriter;
  private final RecentAccessLog recentAccessLog = RecentAccessLog.fromSystemProperty();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final RuntimeConfig config;
  private final List<ListenerRuntime> listeners = new ArrayList<>();
  private final InternalListeners internalListeners = new InternalListeners();
  private OverloadManagerRuntime overload;
  private AdminServer admin;
  private volatile boolean ready;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> stopCallbacks = new ArrayList<>();
  private final DnsResolverFactory dns;
  private ResourceManager dynamic; // guarded by this; made on first use
  private final List<AutoCloseable> closeables = new ArrayList<>(); // guarded by this

  /** Counts of what a configuration holds, for {@code egret validate}. */
  public record Compiled(int listeners, int clusters) {}

  private EgretServer(Bootstrap bootstrap, int workerThreads, DnsResolverFactory dns) throws ConfigException {
    this.stats = new Stats();
    this.accessLogWriter = new AccessLogWriter(stats.serverCounter("access_log.dropped"));
    this.dns = dns;
    try {
      this.config = ConfigCompiler.compile(bootstrap, stats, accessLogWriter, dns, recentAccessLog, internalListeners);
    } catch (ConfigException | RuntimeException e) {
      accessLogWriter.close();
      throw e;
    }
    this.boss = Transports.newGroup(1, new DefaultThreadFactory("egret-accept", true));
    this.workers = Transports.newGroup(workerThreads, new DefaultThreadFactory("egret-worker", true));
  }

  /**
   * Compiles a bootstrap without starting anything: no socket is bound, no thread started, and no
   * access-log file created (their paths are only checked, see {@link AccessLogWriter#checkOnly}).
   */
  public static Compiled compileOnly(Bootstrap bootstrap) throws ConfigException {
    Stats stats = new Stats();
    try (AccessLogWriter writer = AccessLogWriter.checkOnly(stats.serverCounter("access_log.dropped"))) {
      RuntimeConfig c = ConfigCompiler.compile(bootstrap, stats, writer);
      return new Compiled(c.listeners().size(), c.clusters().size());
    }
  }

  /** Compiles, then binds every listener and the admin server. */
  public static EgretServer start(Bootstrap bootstrap) throws ConfigException, InterruptedException {
    return start(bootstrap, Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  public static EgretServer start(Bootstrap bootstrap, int workerThreads)
      throws ConfigException, InterruptedException {
    return start(bootstrap, workerThreads, DnsResolverFactory.system());
  }

  /**
   * As {@link #start(Bootstrap, int)}, with DNS clusters resolving through {@code dns} instead of the
   * platform's name servers (clusters with their own {@code typed_dns_resolver_config} still use it).
   */
  public static EgretServer start(Bootstrap bootstrap, int workerThreads, DnsResolverFactory dns)
      throws ConfigException, InterruptedException {
    EgretServer s = new EgretServer(bootstrap, workerThreads, requireNonNull(dns, "dns"));
    try {
      s.startRuntime();
      s.startXds();
    } catch (InterruptedException | ConfigException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void startRuntime() throws InterruptedException {
    config.clusters().values().forEach(c -> c.start(workers.next()));
    overload = new OverloadManagerRuntime(config.overload(), stats);
    overload.start(workers.next());
    for (ListenerConfig l : config.listeners()) {
      if (l.internal()) {
        listeners.add(ListenerRuntime.registerInternal(l, internalListeners, overload));
        continue;
      }
      try {
        listeners.add(ListenerRuntime.bind(l, boss, workers, overload));
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot bind listener '" + l.name() + "' to "
            + l.address() + ": " + e.getMessage(), e);
      }
    }
    if (config.adminAddress() != null) {
      admin = AdminServer.start(config.adminAddress(), workers, new RuntimeAdminContext(this));
    }
    ready = true;
  }

  /**
   * With {@code dynamic_resources}, starts the xDS client found by {@link java.util.ServiceLoader}
   * ({@link XdsClientFactory}); until its first fetch is done {@code /ready} answers 503.
   */
  private void startXds() throws ConfigException {
    if (!config.bootstrap().hasDynamicResources()) {
      return;
    }
    dynamicResources(); // readiness now waits for the initial fetch
    XdsClientFactory f = java.util.ServiceLoader.load(XdsClientFactory.class).findFirst().orElse(null);
    if (f == null) {
      throw new ConfigException(new dev.egret.core.config.ConfigError("dynamic_resources", "",
          "no xDS client on the class path (the xds-client module provides it)"));
    }
    closeWith(f.start(this));
  }

  Stats stats() {
    return stats;
  }

  RecentAccessLog recentAccessLog() {
    return recentAccessLog;
  }

  RuntimeConfig config() {
    return config;
  }

  boolean isReady() {
    ResourceManager d = dynamicOrNull();
    return ready && !closed.get() && (d == null || d.isInitialized());
  }

  /**
   * The server's dynamic (xDS) resources: made on first call, empty until an xDS client applies
   * updates to it. Once made, {@code /ready} waits for {@link ResourceManager#markInitialized()} and
   * {@code /config_dump} and {@code /clusters} show its resources.
   */
  public synchronized ResourceManager dynamicResources() {
    if (dynamic == null) {
      if (closed.get()) {
        throw new IllegalStateException("server is closed");
      }
      java.util.Set<String> staticListeners = new java.util.HashSet<>();
      config.listeners().forEach(l -> staticListeners.add(l.name()));
      dynamic = new ResourceManager(new ResourceManager.Context(stats, accessLogWriter, recentAccessLog, dns,
          boss, workers, config.clusters(), staticListeners, internalListeners, overload));
    }
    return dynamic;
  }

  synchronized ResourceManager dynamicOrNull() {
    return dynamic;
  }

  /** The bootstrap this server was started with. */
  public Bootstrap bootstrap() {
    return config.bootstrap();
  }

  /** Registers something to close with the server (before its event loops stop), e.g. an xDS client. */
  public synchronized void closeWith(AutoCloseable resource) {
    closeables.add(requireNonNull(resource, "resource"));
  }

  /** Where a listener is bound (its real port when the config asked for port 0). */
  public InetSocketAddress listenerAddress(String name) {
    for (ListenerRuntime l : listeners) {
      if (l.config().name().equals(name)) {
        return l.localAddress();
      }
    }
    ResourceManager d = dynamicOrNull();
    InetSocketAddress a = d == null ? null : d.listenerAddress(name);
    if (a != null) {
      return a;
    }
    throw new IllegalArgumentException("no listener named " + name);
  }

  /** The admin server's address, or null when none is configured. */
  public InetSocketAddress adminAddress() {
    return admin == null ? null : admin.localAddress();
  }

  public void printEndpoints(PrintStream out) {
    for (ListenerRuntime l : listeners) {
      out.println("  listener " + l.config().name() + " on "
          + (l.config().internal() ? "internal (in process)" : hostPort(l.localAddress())));
    }
    if (admin != null) {
      out.println("  admin on http://" + hostPort(admin.localAddress()) + "  (/ready /stats/prometheus "
          + "/config_dump /clusters /quitquitquit)");
    }
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Runs when the server is asked to stop (admin {@code /quitquitquit}). */
  public synchronized void onStop(Runnable r) {
    stopCallbacks.add(r);
  }

  synchronized void requestStop() {
    for (Runnable r : stopCallbacks) {
      r.run();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ready = false;
    List<AutoCloseable> toClose;
    ResourceManager d;
    synchronized (this) {
      toClose = new ArrayList<>(closeables);
      d = dynamic;
    }
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        // closing is best effort: the rest must still stop
      }
    }
    if (d != null) {
      d.close();
    }
    for (ListenerRuntime l : listeners) {
      l.close();
    }
    if (admin != null) {
      admin.close();
    }
    config.clusters().values().forEach(c -> c.close());
    if (overload != null) {
      overload.close();
    }
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    accessLogWriter.close();
  }
}
