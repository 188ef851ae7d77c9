package dev.egret.core;

import dev.egret.core.dynamic.DynamicConfigDump;
import dev.egret.core.dynamic.ResourceManager;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import com.google.protobuf.Message;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.admin.AdminContext;
import dev.egret.core.admin.CircuitBreakerThresholds;
import dev.egret.core.admin.ClusterStatus;
import dev.egret.core.admin.ConfigDumps;
import dev.egret.core.admin.HostStatus;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.Stats;
import dev.egret.core.upstream.CircuitBreakers;
import dev.egret.core.upstream.Host;
import java.util.ArrayList;
import java.util.List;

/** The running server as the admin endpoints see it. */
final class RuntimeAdminContext implements AdminContext {
  private final EgretServer server;
  private final Message dump;

  RuntimeAdminContext(EgretServer server) {
    this.server = server;
    this.dump = ConfigDumps.fromStatic(server.config().bootstrap(), server.config().loadedAt());
  }

  @Override
  public boolean isReady() {
    return server.isReady();
  }

  @Override
  public Message configDump() {
    ResourceManager d = server.dynamicOrNull();
    return d == null ? dump : DynamicConfigDump.merge((ConfigDump) dump, d.snapshot());
  }

  @Override
  public Stats stats() {
    return server.stats();
  }

  @Override
  public List<ClusterStatus> clusters() {
    List<ClusterStatus> out = new ArrayList<>();
    ResourceManager d = server.dynamicOrNull();
    for (ClusterRuntime c : (d == null ? server.config().clusters() : d.clusters()).values()) {
      List<HostStatus> hosts = new ArrayList<>();
      for (Host h : c.hosts()) {
        HostStatus s = HostStatus.healthy(h.addressString(), h.weight(), h.connectionsTotal(),
            h.connectionsActive(), h.requestsTotal(), h.activeRequests());
        if (h.failedOutlierCheck()) { // Envoy's flag text for a host ejected by outlier detection
          s = new HostStatus(s.address(), s.counters(), s.gauges(), "/failed_outlier_check", s.weight(),
              s.hostname(), s.region(), s.zone(), s.subZone(), s.priority());
        }
        hosts.add(s);
      }
      CircuitBreakers.Limits l = c.breakers().limits();
      CircuitBreakerThresholds thresholds = new CircuitBreakerThresholds(l.maxConnections(), l.maxPendingRequests(),
          l.maxRequests(), l.maxRetries());
      out.add(new ClusterStatus(c.name(), false, thresholds, CircuitBreakerThresholds.DEFAULTS, "", hosts));
    }
    return out;
  }

  @Override
  public RecentAccessLog recentAccessLog() {
    return server.recentAccessLog();
  }

  @Override
  public void quit() {
    server.requestStop();
  }
}
