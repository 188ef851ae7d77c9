package dev.egret.core.config;

import static java.util.Objects.requireNonNull;

import dev.egret.core.accesslog.AccessLog;
import dev.egret.core.accesslog.AccessLogWriter;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.http.HcmCompiler;
import dev.egret.core.listener.ListenerCompiler;
import dev.egret.core.internal.InternalListeners;
import dev.egret.core.listener.ListenerConfig;
import dev.egret.core.network.NetworkFilterRegistry;
import dev.egret.core.overload.OverloadCompiler;
import dev.egret.core.overload.OverloadConfig;
import dev.egret.core.tcp.DirectTcpConnector;
import dev.egret.core.tcp.TcpProxyCompiler;
import dev.egret.core.pool.PoolRegistry;
import dev.egret.core.route.RouteTable;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.router.RouterImpl;
import dev.egret.core.stats.Stats;
import dev.egret.core.tls.StaticSecrets;
import dev.egret.core.upstream.DnsResolverFactory;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles an Envoy v3 {@link Bootstrap} into a {@link RuntimeConfig}: every resource becomes an
 * immutable runtime object, and every problem anywhere in the file is collected with its field path
 * before anything is thrown. Nothing here binds a socket or starts a thread that outlives a failure:
 * the caller starts what is returned.
 *
 * <p>The compiler does not care where resources came from; the xDS client will feed it the same
 * protos.
 */
public final class ConfigCompiler {
  private ConfigCompiler() {}

  /** Compiles with the platform's DNS resolver for DNS clusters ({@link DnsResolverFactory#system()}). */
  public static RuntimeConfig compile(Bootstrap b, Stats stats, AccessLogWriter accessLogWriter)
      throws ConfigException {
    return compile(b, stats, accessLogWriter, DnsResolverFactory.system());
  }

  /**
   * Compiles; DNS clusters resolve through {@code dns} unless they name their own name servers
   * ({@code typed_dns_resolver_config}).
   */
  public static RuntimeConfig compile(Bootstrap b, Stats stats, AccessLogWriter accessLogWriter,
      DnsResolverFactory dns) throws ConfigException {
    return compile(b, stats, accessLogWriter, dns, RecentAccessLog.DISABLED);
  }

  /** As {@link #compile(Bootstrap, Stats, AccessLogWriter, DnsResolverFactory)}, every HCM also feeding {@code recentEntries}. */
  public static RuntimeConfig compile(Bootstrap b, Stats stats, AccessLogWriter accessLogWriter,
      DnsResolverFactory dns, AccessLog recentEntries) throws ConfigException {
    return compile(b, stats, accessLogWriter, dns, recentEntries, new InternalListeners());
  }

  /**
   * As {@link #compile(Bootstrap, Stats, AccessLogWriter, DnsResolverFactory, AccessLog)}, with the
   * registry through which clusters reach internal listeners ({@code envoy_internal_address}).
   */
  public static RuntimeConfig compile(Bootstrap b, Stats stats, AccessLogWriter accessLogWriter,
      DnsResolverFactory dns, AccessLog recentEntries, InternalListeners internalListeners) throws ConfigException {
    requireNonNull(dns, "dns");
    requireNonNull(internalListeners, "internalListeners");
    ConfigPath root = ConfigPath.root("");
    Fields.allowOnly(b, root, Set.of("node", "admin", "static_resources", "dynamic_resources",
        "overload_manager", "layered_runtime"));
    InetSocketAddress admin = b.hasAdmin() ? admin(b.getAdmin(), root.field("admin")) : null;
    ConfigPath sr = root.field("static_resources");
    Fields.allowOnly(b.getStaticResources(), sr, Set.of("listeners", "clusters", "secrets"));
    int beforeSecrets = root.errorCount();
    StaticSecrets secrets = StaticSecrets.compile(b.getStaticResources().getSecretsList(), sr.field("secrets"));
    Bootstrap source = b; // what /config_dump shows: secrets by name, as configured
    b = secrets.resolve(b, sr); // TLS contexts name secrets: put the secrets in their place
    if (root.errorCount() > beforeSecrets) {
      root.throwIfErrors(); // a missing secret would only cause follow-on TLS errors
    }

    PoolRegistry pools = new PoolRegistry();
    Map<String, ClusterRuntime> clusters = new LinkedHashMap<>();
    Set<String> clusterNames = new java.util.HashSet<>();
    List<Cluster> clusterProtos = b.getStaticResources().getClustersList();
    for (int i = 0; i < clusterProtos.size(); i++) {
      Cluster c = clusterProtos.get(i);
      ConfigPath at = sr.field("clusters").index(i).resource(c.getName());
      if (!clusterNames.add(c.getName())) {
        at.field("name").error("duplicate cluster name '" + c.getName() + "'");
        continue;
      }
      if (XdsSettings.isPipeXdsCluster(b, c)) {
        // the control plane on a Unix domain socket: dialled by the xDS client, never by the router
        XdsSettings.checkPipeCluster(c, at);
        continue;
      }
      ClusterRuntime runtime = ClusterRuntime.compile(c, at, stats, dns, pools, internalListeners);
      if (runtime != null) {
        clusters.put(c.getName(), runtime);
      }
    }

    if (b.hasDynamicResources()) {
      // checked here so a bad xDS bootstrap fails like any other; the xDS client compiles it again
      XdsSettings.compile(b.getDynamicResources(), root.field("dynamic_resources"), clusterNames::contains);
    }
    HcmCompiler hcms = new HcmCompiler(stats, (routeConfig, at, perFilter) -> {
      RouteTable table = RouteTable.compile(routeConfig, at, clusterNames::contains, perFilter);
      return table == null ? null : new RouterImpl(table, clusters);
    }, accessLogWriter, recentEntries, clusters::get);
    TcpProxyCompiler tcpProxies = new TcpProxyCompiler(stats, clusters, accessLogWriter, recentEntries,
        DirectTcpConnector.INSTANCE);
    ListenerCompiler.NetworkFilters network = new ListenerCompiler.NetworkFilters(tcpProxies::compile,
        NetworkFilterRegistry.load(), stats);
    List<ListenerConfig> listeners = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    Map<InetSocketAddress, String> addresses = new HashMap<>();
    List<Listener> listenerProtos = b.getStaticResources().getListenersList();
    for (int i = 0; i < listenerProtos.size(); i++) {
      Listener l = listenerProtos.get(i);
      ConfigPath at = sr.field("listeners").index(i).resource(l.getName());
      if (names.putIfAbsent(l.getName(), i) != null) {
        at.field("name").error("duplicate listener name '" + l.getName() + "'");
        continue;
      }
      ListenerConfig lc = ListenerCompiler.compile(l, at, stats, hcms::compile, network);
      if (lc == null) {
        continue;
      }
      if (!lc.internal() && lc.address().getPort() != 0) {
        String other = addresses.putIfAbsent(lc.address(), l.getName());
        if (other != null) {
          at.field("address").error("listener '" + other + "' already binds "
              + NetUtil.toSocketAddressString(lc.address()));
          continue;
        }
      }
      listeners.add(lc);
    }
    // listeners may also come over LDS: then a runtime key may name one not in the bootstrap
    OverloadConfig overload = OverloadCompiler.compile(b, root, b.hasDynamicResources() ? null : names.keySet());
    root.throwIfErrors();
    return new RuntimeConfig(source, Instant.now(), admin, listeners, clusters, overload);
  }

  private static InetSocketAddress admin(Admin a, ConfigPath at) {
    Fields.allowOnly(a, at, Set.of("address", "access_log"));
    if (a.getAccessLogCount() > 0) {
      at.field("access_log").error("admin access logs are not supported");
    }
    if (!a.hasAddress()) {
      return null;
    }
    return Addresses.ipSocketAddress(a.getAddress(), at.field("address"));
  }
}
