package dev.egret.core.dynamic;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLog;
import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.http.HcmCompiler;
import dev.egret.core.http.HttpRouter;
import dev.egret.core.listener.ListenerCompiler;
import dev.egret.core.listener.ListenerConfig;
import dev.egret.core.listener.ListenerRuntime;
import dev.egret.core.pool.PoolRegistry;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.route.RouteTable;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.router.RouterImpl;
import dev.egret.core.stats.Stats;
import dev.egret.core.upstream.DiscoveryType;
import dev.egret.core.upstream.DnsResolverFactory;
import dev.egret.core.upstream.Endpoint;
import dev.egret.core.upstream.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The dynamic (xDS) resources of a running server, and the one way to change them. Each {@code apply*}
 * method takes one update of one resource type (what an xDS response carries: resources to add or
 * replace, names to remove), compiles every resource first, and either applies all of it or, when any
 * resource is invalid, changes nothing and throws a {@link ConfigException} whose errors name each
 * rejected resource and field path (rooted at the resource: {@code address.socket_address.port_value}
 * for resource {@code listener_0}).
 *
 * <p>What an update does to traffic:
 * <ul>
 *   <li>Listeners: a new one is bound; a replaced one keeps its socket when the address is the same
 *       (re-binds otherwise) and new connections get the new configuration while the old connections
 *       drain (HTTP/1.1 {@code Connection: close} on the next response, HTTP/2 GOAWAY), closed at the
 *       drain deadline; a removed one stops accepting and drains. An identical resource changes nothing.
 *   <li>Routes (RDS): an HCM with {@code rds} serves through the table published under its name; an
 *       update swaps the table under it, nothing else changes. A new or changed listener whose route
 *       configurations have not arrived yet warms: the previous version (if any) keeps serving until
 *       they arrive or the warming timeout passes.
 *   <li>Clusters: routers look clusters up by name in a snapshot swapped atomically; a replaced or
 *       removed cluster's pools drain (connections close after their last stream). An EDS cluster
 *       warms: it becomes active once its endpoints arrive (the previous version serves meanwhile)
 *       or the warming timeout passes.
 *   <li>Endpoints (EDS): replace an EDS cluster's hosts; hosts that remain keep their connections.
 * </ul>
 *
 * <p>Static (bootstrap) listeners and clusters cannot be replaced or removed. Methods are
 * synchronized and meant to be called off the event loops (the xDS client's thread).
 */
public final class ResourceManager implements AutoCloseable {
  /** Envoy's default {@code --drain-time-s}. */
  public static final long DEFAULT_DRAIN_MILLIS = 600_000;
  /** Envoy's default {@code initial_fetch_timeout}. */
  public static final long DEFAULT_WARMING_MILLIS = 15_000;

  /** What the manager builds runtime objects with. */
  public record Context(Stats stats, AccessLogWriter accessLogWriter, AccessLog recentEntries,
      DnsResolverFactory dns, EventLoopGroup boss, EventLoopGroup workers,
      Map<String, ClusterRuntime> staticClusters, Set<String> staticListeners,
      dev.egret.core.internal.InternalListeners internalListeners,
      dev.egret.core.overload.OverloadManagerRuntime overload) {
    /** Without an overload manager (dynamic listeners then enforce no connection limits). */
    public Context(Stats stats, AccessLogWriter accessLogWriter, AccessLog recentEntries,
        DnsResolverFactory dns, EventLoopGroup boss, EventLoopGroup workers,
        Map<String, ClusterRuntime> staticClusters, Set<String> staticListeners,
        dev.egret.core.internal.InternalListeners internalListeners) {
      this(stats, accessLogWriter, recentEntries, dns, boss, workers, staticClusters, staticListeners,
          internalListeners, null);
    }

    public Context {
      requireNonNull(internalListeners, "internalListeners");
      requireNonNull(stats, "stats");
      requireNonNull(accessLogWriter, "accessLogWriter");
      requireNonNull(recentEntries, "recentEntries");
      requireNonNull(dns, "dns");
      requireNonNull(boss, "boss");
      requireNonNull(workers, "workers");
      staticClusters = Map.copyOf(staticClusters);
      staticListeners = Set.copyOf(staticListeners);
    }
  }

  /** A resource as received, for {@code /config_dump}. */
  public record Versioned<T>(T resource, String version, Instant lastUpdated) {}

  private record ActiveListener(Versioned<Listener> source, ListenerRuntime runtime, List<RdsRouter> rds) {}

  /** A compiled listener waiting for its route configurations (RDS) before it takes traffic. */
  private record WarmingListener(Versioned<Listener> source, ListenerConfig config, List<RdsRouter> rds) {
    boolean warm() {
      return rds.stream().allMatch(RdsRouter::hasRoutes);
    }
  }

  private record ActiveCluster(Versioned<Cluster> source, ClusterRuntime runtime) {
    String edsName() {
      return edsServiceName(source.resource());
    }
  }

  private final Context ctx;
  private final PoolRegistry pools = new PoolRegistry();
  private final LiveClusters live;
  private final HcmCompiler hcms;
  private final Map<String, ActiveListener> listeners = new LinkedHashMap<>();
  private final Map<String, WarmingListener> warmingListeners = new LinkedHashMap<>();
  private final Map<String, ActiveCluster> clusters = new LinkedHashMap<>();
  private final Map<String, ActiveCluster> warming = new LinkedHashMap<>();
  private final Map<String, Versioned<RouteConfiguration>> routes = new LinkedHashMap<>();
  private final Map<String, Versioned<ClusterLoadAssignment>> endpoints = new LinkedHashMap<>();
  private final Map<String, List<Endpoint>> compiledEndpoints = new HashMap<>();
  private final Map<String, String> versions = new HashMap<>();
  private List<RdsRouter> collecting; // the RDS routers made by the listener being compiled
  private Set<String> pendingClusterNames = Set.of();
  private volatile long drainMillis = DEFAULT_DRAIN_MILLIS;
  private volatile long warmingMillis = DEFAULT_WARMING_MILLIS;
  private volatile boolean initialized;
  private boolean closed;

  public ResourceManager(Context ctx) {
    this.ctx = requireNonNull(ctx, "ctx");
    this.live = new LiveClusters(ctx.staticClusters());
    this.hcms = new HcmCompiler(ctx.stats(), new HcmCompiler.RouterFactory() {
      @Override
      public HttpRouter create(RouteConfiguration rc, ConfigPath at, PerFilterConfig perFilter) {
        RouteTable table = RouteTable.compile(rc, at,
            name -> live.containsKey(name) || pendingClusterNames.contains(name), perFilter);
        return table == null ? null : new RouterImpl(table, live);
      }

      @Override
      public HttpRouter rds(Rds rds, ConfigPath at, PerFilterConfig perFilter) {
        return rdsRouter(rds, at, perFilter);
      }
    }, ctx.accessLogWriter(), ctx.recentEntries());
  }

  /** How long old connections of a changed or removed listener may run on (default 600 s). */
  public void setDrainMillis(long millis) {
    this.drainMillis = Math.max(0, millis);
  }

  /** How long a new EDS cluster waits for its endpoints before it is activated empty (default 15 s; 0 = forever). */
  public void setWarmingMillis(long millis) {
    this.warmingMillis = Math.max(0, millis);
  }

  // ------------------------------------------------------------------------------------ clusters

  /**
   * Adds or replaces {@code upserts} (by name) and removes {@code removed}, all or nothing.
   *
   * @param version the update's {@code version_info}, kept for {@code /config_dump}
   */
  public synchronized void applyClusters(Map<String, Cluster> upserts, Set<String> removed, String version)
      throws ConfigException {
    applyClusters(upserts, removed, version, Map.of());
  }

  /**
   * As {@link #applyClusters(Map, Set, String)}, each resource named in {@code resourceVersions} carrying its
   * own version (delta xDS) in {@code /config_dump}.
   */
  public synchronized void applyClusters(Map<String, Cluster> upserts, Set<String> removed, String version,
      Map<String, String> resourceVersions) throws ConfigException {
    checkOpen();
    ConfigPath root = ConfigPath.root("");
    Map<String, ClusterRuntime> compiled = new LinkedHashMap<>();
    Map<String, Cluster> protos = new LinkedHashMap<>();
    for (Map.Entry<String, Cluster> e : upserts.entrySet()) {
      String name = e.getKey();
      Cluster c = e.getValue();
      ConfigPath at = root.resource(name);
      if (ctx.staticClusters().containsKey(name)) {
        at.field("name").error("cluster '" + name + "' is a static cluster and cannot be added or updated by CDS");
        continue;
      }
      ActiveCluster current = warming.containsKey(name) ? warming.get(name) : clusters.get(name);
      if (current != null && current.source().resource().equals(c)) {
        continue; // unchanged: keep the running cluster and its connections
      }
      ClusterRuntime rt = ClusterRuntime.compile(c, at, ctx.stats(), ctx.dns(), pools, ctx.internalListeners());
      if (rt != null) {
        compiled.put(name, rt);
        protos.put(name, c);
      }
    }
    for (String name : removed) {
      if (ctx.staticClusters().containsKey(name)) {
        root.resource(name).error("cluster '" + name + "' is a static cluster and cannot be removed by CDS");
      }
    }
    if (root.hasErrors()) {
      throw new ConfigException(root.errors());
    }
    Instant now = Instant.now();
    for (Map.Entry<String, ClusterRuntime> e : compiled.entrySet()) {
      ClusterRuntime rt = e.getValue();
      ActiveCluster next = new ActiveCluster(new Versioned<>(protos.get(e.getKey()), resourceVersions.getOrDefault(e.getKey(), version), now), rt);
      rt.start(ctx.workers().next());
      ActiveCluster oldWarming = warming.remove(e.getKey());
      if (oldWarming != null) {
        retire(oldWarming.runtime());
      }
      if (rt.upstream().config().type() == DiscoveryType.EDS) {
        List<Endpoint> eps = compiledEndpoints.get(next.edsName());
        if (eps == null) {
          warming.put(e.getKey(), next);
          scheduleWarmingTimeout(e.getKey(), next);
          continue;
        }
        rt.upstream().assign(eps);
      }
      activate(e.getKey(), next);
    }
    for (String name : removed) {
      ActiveCluster w = warming.remove(name);
      if (w != null) {
        retire(w.runtime());
      }
      ActiveCluster a = clusters.remove(name);
      if (a != null) {
        retire(a.runtime());
      }
    }
    versions.put("clusters", version);
    publishClusters();
  }

  private void activate(String name, ActiveCluster next) {
    ActiveCluster old = clusters.put(name, next);
    if (old != null && old.runtime() != next.runtime()) {
      retire(old.runtime());
    }
  }

  private void scheduleWarmingTimeout(String name, ActiveCluster c) {
    long ms = warmingMillis;
    if (ms <= 0) {
      return;
    }
    ctx.workers().next().schedule(() -> {
      synchronized (this) {
        if (!closed && warming.get(name) == c) {
          warming.remove(name);
          activate(name, c); // initial_fetch_timeout: serve without endpoints (503 UH) rather than wait
          publishClusters();
        }
      }
    }, ms, TimeUnit.MILLISECONDS);
  }

  private void retire(ClusterRuntime rt) {
    rt.drainAllPools();
    rt.close();
  }

  private void publishClusters() {
    Map<String, ClusterRuntime> next = new LinkedHashMap<>(ctx.staticClusters());
    clusters.forEach((name, c) -> next.put(name, c.runtime()));
    live.set(next);
    pendingClusterNames = Set.copyOf(warming.keySet());
  }

  // ----------------------------------------------------------------------------------- endpoints

  /** Adds or replaces {@code ClusterLoadAssignment}s (by cluster / service name) and removes some, all or nothing. */
  public synchronized void applyEndpoints(Map<String, ClusterLoadAssignment> upserts, Set<String> removed, String version)
      throws ConfigException {
    applyEndpoints(upserts, removed, version, Map.of());
  }

  /**
   * As {@link #applyEndpoints(Map, Set, String)}, each resource named in {@code resourceVersions} carrying its
   * own version (delta xDS) in {@code /config_dump}.
   */
  public synchronized void applyEndpoints(Map<String, ClusterLoadAssignment> upserts, Set<String> removed, String version,
      Map<String, String> resourceVersions) throws ConfigException {
    checkOpen();
    ConfigPath root = ConfigPath.root("");
    Map<String, List<Endpoint>> compiled = new LinkedHashMap<>();
    for (Map.Entry<String, ClusterLoadAssignment> e : upserts.entrySet()) {
      List<Endpoint> eps = UpstreamCluster.compileAssignment(e.getValue(), root.resource(e.getKey()));
      if (eps != null) {
        compiled.put(e.getKey(), eps);
      }
    }
    if (root.hasErrors()) {
      throw new ConfigException(root.errors());
    }
    Instant now = Instant.now();
    for (Map.Entry<String, List<Endpoint>> e : compiled.entrySet()) {
      endpoints.put(e.getKey(), new Versioned<>(upserts.get(e.getKey()), resourceVersions.getOrDefault(e.getKey(), version), now));
      compiledEndpoints.put(e.getKey(), e.getValue());
    }
    for (String name : removed) {
      endpoints.remove(name);
      compiledEndpoints.remove(name);
    }
    Set<String> touched = new LinkedHashSet<>(compiled.keySet());
    touched.addAll(removed);
    for (ActiveCluster c : clusters.values()) {
      if (touched.contains(c.edsName())) {
        c.runtime().upstream().assign(compiledEndpoints.getOrDefault(c.edsName(), List.of()));
      }
    }
    for (var it = warming.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, ActiveCluster> w = it.next();
      List<Endpoint> eps = compiledEndpoints.get(w.getValue().edsName());
      if (eps != null) {
        w.getValue().runtime().upstream().assign(eps);
        it.remove();
        activate(w.getKey(), w.getValue());
      }
    }
    versions.put("endpoints", version);
    publishClusters();
  }

  // -------------------------------------------------------------------------------------- routes

  /** Adds or replaces RDS route configurations (by name) and removes some, all or nothing. */
  public synchronized void applyRoutes(Map<String, RouteConfiguration> upserts, Set<String> removed, String version)
      throws ConfigException {
    applyRoutes(upserts, removed, version, Map.of());
  }

  /**
   * As {@link #applyRoutes(Map, Set, String)}, each resource named in {@code resourceVersions} carrying its
   * own version (delta xDS) in {@code /config_dump}.
   */
  public synchronized void applyRoutes(Map<String, RouteConfiguration> upserts, Set<String> removed, String version,
      Map<String, String> resourceVersions) throws ConfigException {
    checkOpen();
    ConfigPath root = ConfigPath.root("");
    Map<RdsRouter, HttpRouter> next = new java.util.IdentityHashMap<>();
    for (Map.Entry<String, RouteConfiguration> e : upserts.entrySet()) {
      ConfigPath at = root.resource(e.getKey());
      boolean referenced = false;
      for (RdsRouter r : rdsRouters(e.getKey())) {
        referenced = true;
        RouteTable table = RouteTable.compile(e.getValue(), at, name -> true, r.perFilter());
        if (table != null) {
          next.put(r, new RouterImpl(table, live));
        }
        if (at.hasErrors()) {
          break; // one HCM's errors are enough: they are the same for every one
        }
      }
      if (!referenced) {
        RouteTable.compile(e.getValue(), at, name -> true, (filter, config, cat) -> config); // validate
      }
    }
    if (root.hasErrors()) {
      throw new ConfigException(root.errors());
    }
    Instant now = Instant.now();
    upserts.forEach((name, rc) -> routes.put(name, new Versioned<>(rc, resourceVersions.getOrDefault(name, version), now)));
    next.forEach(RdsRouter::set);
    for (String name : removed) {
      if (routes.remove(name) != null) {
        rdsRouters(name).forEach(r -> r.set(null));
      }
    }
    versions.put("routes", version);
    activateWarmListeners();
  }

  /** Lets listeners whose routes have all arrived take traffic. */
  private void activateWarmListeners() {
    for (var it = warmingListeners.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, WarmingListener> e = it.next();
      if (e.getValue().warm()) {
        it.remove();
        activateLater(e.getKey(), e.getValue());
      }
    }
  }

  /** Activates a listener that finished warming: its bind can no longer be refused, only logged. */
  private void activateLater(String name, WarmingListener w) {
    ActiveListener current = listeners.get(name);
    ListenerRuntime rt;
    if (current != null && sameSocket(current.runtime().config(), w.config())) {
      rt = current.runtime();
      rt.update(w.config(), drainMillis);
    } else {
      try {
        rt = open(w.config());
      } catch (InterruptedException | RuntimeException ex) {
        if (ex instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        java.util.logging.Logger.getLogger(ResourceManager.class.getName()).warning("listener '" + name
            + "' cannot bind " + w.config().address() + " after warming: " + ex.getMessage());
        return;
      }
      if (current != null) {
        current.runtime().drainAndClose(drainMillis);
      }
    }
    listeners.put(name, new ActiveListener(w.source(), rt, w.rds()));
  }

  private List<RdsRouter> rdsRouters(String name) {
    List<RdsRouter> out = new ArrayList<>();
    for (ActiveListener l : listeners.values()) {
      for (RdsRouter r : l.rds()) {
        if (r.routeConfigName().equals(name)) {
          out.add(r);
        }
      }
    }
    for (WarmingListener l : warmingListeners.values()) {
      for (RdsRouter r : l.rds()) {
        if (r.routeConfigName().equals(name)) {
          out.add(r);
        }
      }
    }
    return out;
  }

  private HttpRouter rdsRouter(Rds rds, ConfigPath at, PerFilterConfig perFilter) {
    Fields.allowOnly(rds, at, Set.of("config_source", "route_config_name"));
    if (rds.getRouteConfigName().isEmpty()) {
      at.field("route_config_name").error("route_config_name is required");
      return null;
    }
    if (rds.hasConfigSource()) {
      ConfigPath cs = at.field("config_source");
      Fields.allowOnly(rds.getConfigSource(), cs, Set.of("ads", "resource_api_version", "initial_fetch_timeout"));
      if (!rds.getConfigSource().hasAds()) {
        cs.error("Egret takes RDS over ADS only: config_source must be 'ads: {}'");
        return null;
      }
    }
    RdsRouter r = new RdsRouter(rds.getRouteConfigName(), perFilter);
    Versioned<RouteConfiguration> known = routes.get(rds.getRouteConfigName());
    if (known != null) {
      RouteTable table = RouteTable.compile(known.resource(), at.resource(rds.getRouteConfigName()),
          name -> true, perFilter);
      if (table == null) {
        return null;
      }
      r.set(new RouterImpl(table, live));
    }
    if (collecting != null) {
      collecting.add(r);
    }
    return r;
  }

  // ----------------------------------------------------------------------------------- listeners

  /** Adds or replaces listeners (by name) and removes some, all or nothing (binding included). */
  public synchronized void applyListeners(Map<String, Listener> upserts, Set<String> removed, String version)
      throws ConfigException {
    applyListeners(upserts, removed, version, Map.of());
  }

  /**
   * As {@link #applyListeners(Map, Set, String)}, each resource named in {@code resourceVersions} carrying its
   * own version (delta xDS) in {@code /config_dump}.
   */
  public synchronized void applyListeners(Map<String, Listener> upserts, Set<String> removed, String version,
      Map<String, String> resourceVersions) throws ConfigException {
    checkOpen();
    ConfigPath root = ConfigPath.root("");
    record Compiled(Listener proto, ListenerConfig config, List<RdsRouter> rds) {}
    Map<String, Compiled> compiled = new LinkedHashMap<>();
    Map<InetSocketAddress, String> taken = new HashMap<>();
    listeners.forEach((name, l) -> {
      if (!upserts.containsKey(name) && !removed.contains(name)) {
        taken.put(l.runtime().config().address(), name);
      }
    });
    for (Map.Entry<String, Listener> e : upserts.entrySet()) {
      String name = e.getKey();
      ConfigPath at = root.resource(name);
      if (ctx.staticListeners().contains(name)) {
        at.field("name").error("listener '" + name + "' is a static listener and cannot be added or updated by LDS");
        continue;
      }
      ActiveListener current = listeners.get(name);
      WarmingListener pending = warmingListeners.get(name);
      if (pending != null ? pending.source().resource().equals(e.getValue())
          : current != null && current.source().resource().equals(e.getValue())) {
        continue;
      }
      List<RdsRouter> rds = new ArrayList<>();
      collecting = rds;
      ListenerConfig lc;
      try {
        lc = ListenerCompiler.compile(e.getValue(), at, ctx.stats(), hcms::compile);
      } finally {
        collecting = null;
      }
      if (lc == null) {
        continue;
      }
      if (lc.address().getPort() != 0) {
        String other = taken.putIfAbsent(lc.address(), name);
        if (other != null) {
          at.field("address").error("listener '" + other + "' already binds " + lc.address());
          continue;
        }
      }
      compiled.put(name, new Compiled(e.getValue(), lc, rds));
    }
    for (String name : removed) {
      if (ctx.staticListeners().contains(name)) {
        root.resource(name).error("listener '" + name + "' is a static listener and cannot be removed by LDS");
      }
    }
    if (root.hasErrors()) {
      throw new ConfigException(root.errors());
    }
    // bind what needs a new socket before changing anything, so a failed bind changes nothing
    Map<String, ListenerRuntime> bound = new HashMap<>();
    for (Map.Entry<String, Compiled> e : compiled.entrySet()) {
      if (!e.getValue().rds().stream().allMatch(RdsRouter::hasRoutes)) {
        continue; // warms until its routes arrive; bound then
      }
      ActiveListener current = listeners.get(e.getKey());
      if (current != null && sameSocket(current.runtime().config(), e.getValue().config())) {
        continue;
      }
      try {
        bound.put(e.getKey(), open(e.getValue().config()));
      } catch (InterruptedException | RuntimeException ex) {
        if (ex instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        bound.values().forEach(b -> b.drainAndClose(0));
        throw new ConfigException(new ConfigError("address", e.getKey(),
            "cannot bind " + e.getValue().config().address() + ": " + ex.getMessage()));
      }
    }
    Instant now = Instant.now();
    long drain = drainMillis;
    for (Map.Entry<String, Compiled> e : compiled.entrySet()) {
      Compiled c = e.getValue();
      Versioned<Listener> source = new Versioned<>(c.proto(), resourceVersions.getOrDefault(e.getKey(), version), now);
      if (!c.rds().stream().allMatch(RdsRouter::hasRoutes)) {
        WarmingListener w = new WarmingListener(source, c.config(), c.rds());
        warmingListeners.put(e.getKey(), w);
        scheduleListenerWarmingTimeout(e.getKey(), w);
        continue;
      }
      warmingListeners.remove(e.getKey());
      ActiveListener current = listeners.get(e.getKey());
      ListenerRuntime rt = bound.get(e.getKey());
      if (rt == null) {
        rt = current.runtime();
        rt.update(c.config(), drain);
      } else if (current != null) {
        current.runtime().drainAndClose(drain);
      }
      listeners.put(e.getKey(), new ActiveListener(source, rt, c.rds()));
    }
    for (String name : removed) {
      warmingListeners.remove(name);
      ActiveListener l = listeners.remove(name);
      if (l != null) {
        l.runtime().drainAndClose(drain);
      }
    }
    versions.put("listeners", version);
  }

  private void scheduleListenerWarmingTimeout(String name, WarmingListener w) {
    long ms = warmingMillis;
    if (ms <= 0) {
      return;
    }
    ctx.workers().next().schedule(() -> {
      synchronized (this) {
        if (!closed && warmingListeners.get(name) == w) {
          warmingListeners.remove(name);
          activateLater(name, w); // initial_fetch_timeout: serve (routes missing: 404) rather than wait
        }
      }
    }, ms, TimeUnit.MILLISECONDS);
  }

  /** Binds a listener, or registers an internal one by name. */
  private ListenerRuntime open(ListenerConfig c) throws InterruptedException {
    return c.internal() ? ListenerRuntime.registerInternal(c, ctx.internalListeners(), ctx.overload())
        : ListenerRuntime.bind(c, ctx.boss(), ctx.workers(), ctx.overload());
  }

  /** Whether {@code b} can take over {@code a}'s socket (or internal name) as it is. */
  private static boolean sameSocket(ListenerConfig a, ListenerConfig b) {
    return a.internal() == b.internal() && a.address().equals(b.address());
  }

  // ------------------------------------------------------------------------------------- queries

  /** The RDS names the active listeners reference (what to subscribe to), sorted. */
  public synchronized Set<String> routeNames() {
    Set<String> out = new TreeSet<>();
    listeners.values().forEach(l -> l.rds().forEach(r -> out.add(r.routeConfigName())));
    warmingListeners.values().forEach(l -> l.rds().forEach(r -> out.add(r.routeConfigName())));
    return out;
  }

  /** The EDS service names of the active and warming EDS clusters (what to subscribe to), sorted. */
  public synchronized Set<String> endpointNames() {
    Set<String> out = new TreeSet<>();
    for (ActiveCluster c : clusters.values()) {
      if (c.runtime().upstream().config().type() == DiscoveryType.EDS) {
        out.add(c.edsName());
      }
    }
    for (ActiveCluster c : warming.values()) {
      out.add(c.edsName());
    }
    return out;
  }

  /** The EDS name of a cluster: {@code eds_cluster_config.service_name}, else its name. */
  public static String edsServiceName(Cluster c) {
    String s = c.getEdsClusterConfig().getServiceName();
    return s.isEmpty() ? c.getName() : s;
  }

  /** Where a dynamic listener is bound, or null when there is none of that name. */
  public synchronized InetSocketAddress listenerAddress(String name) {
    ActiveListener l = listeners.get(name);
    return l == null ? null : l.runtime().localAddress();
  }

  /** Every cluster routers can reach now: static, then active dynamic ones. */
  public Map<String, ClusterRuntime> clusters() {
    return live.snapshot();
  }

  /** The server's stats (for the xDS client's own). */
  public Stats stats() {
    return ctx.stats();
  }

  /** Whether the first fetch of the control plane's configuration is done ({@code /ready}). */
  public boolean isInitialized() {
    return initialized;
  }

  /** Marks the initial fetch done (the xDS client calls this once LDS and CDS have been applied or timed out). */
  public void markInitialized() {
    initialized = true;
  }

  /** The received resources, for {@code /config_dump}. */
  public synchronized Snapshot snapshot() {
    List<Versioned<Listener>> ls = new ArrayList<>();
    listeners.values().forEach(l -> ls.add(l.source()));
    List<Versioned<Cluster>> cs = new ArrayList<>();
    clusters.values().forEach(c -> cs.add(c.source()));
    List<Versioned<Cluster>> ws = new ArrayList<>();
    warming.values().forEach(c -> ws.add(c.source()));
    List<Versioned<Listener>> wl = new ArrayList<>();
    warmingListeners.values().forEach(l -> wl.add(l.source()));
    return new Snapshot(ls, wl, new ArrayList<>(routes.values()), cs, ws, new ArrayList<>(endpoints.values()),
        versions.getOrDefault("listeners", ""), versions.getOrDefault("clusters", ""));
  }

  /** What {@link #snapshot()} returns. */
  public record Snapshot(List<Versioned<Listener>> listeners, List<Versioned<Listener>> warmingListeners,
      List<Versioned<RouteConfiguration>> routes,
      List<Versioned<Cluster>> activeClusters, List<Versioned<Cluster>> warmingClusters,
      List<Versioned<ClusterLoadAssignment>> endpoints, String listenersVersion, String clustersVersion) {}

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("resource manager is closed");
    }
  }

  /** Closes every dynamic listener (at once) and cluster. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    warmingListeners.clear();
    listeners.values().forEach(l -> l.runtime().drainAndClose(0));
    clusters.values().forEach(c -> c.runtime().close());
    warming.values().forEach(c -> c.runtime().close());
    pools.closeAll();
  }
}
