package dev.egret.core.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.HostHealthStatus;
import io.envoyproxy.envoy.admin.v3.SimpleMetric;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders {@code /clusters}: Envoy's text form, one {@code cluster::key::value} or
 * {@code cluster::host::stat::value} line per fact, and its JSON form ({@code envoy.admin.v3.Clusters}).
 */
final class ClustersRenderer {
  private ClustersRenderer() {}

  static String text(List<ClusterStatus> clusters) {
    StringBuilder out = new StringBuilder();
    for (ClusterStatus c : clusters) {
      String n = c.name();
      line(out, n, "observability_name", n);
      thresholds(out, n, "default_priority", c.defaultPriority());
      thresholds(out, n, "high_priority", c.highPriority());
      line(out, n, "added_via_api", Boolean.toString(c.addedViaApi()));
      if (!c.edsServiceName().isEmpty()) {
        line(out, n, "eds_service_name", c.edsServiceName());
      }
      for (HostStatus h : c.hosts()) {
        Map<String, Long> all = new TreeMap<>(h.counters());
        all.putAll(h.gauges());
        String p = n + "::" + h.address();
        all.forEach((k, v) -> line(out, p, k, Long.toString(v)));
        line(out, p, "hostname", h.hostname());
        line(out, p, "health_flags", h.healthFlags());
        line(out, p, "weight", Integer.toString(h.weight()));
        line(out, p, "region", h.region());
        line(out, p, "zone", h.zone());
        line(out, p, "sub_zone", h.subZone());
        line(out, p, "canary", "false");
        line(out, p, "priority", Integer.toString(h.priority()));
        line(out, p, "success_rate", "-1");
        line(out, p, "local_origin_success_rate", "-1");
      }
    }
    return out.toString();
  }

  static String json(List<ClusterStatus> clusters) {
    Clusters.Builder b = Clusters.newBuilder();
    for (ClusterStatus c : clusters) {
      io.envoyproxy.envoy.admin.v3.ClusterStatus.Builder cb =
          io.envoyproxy.envoy.admin.v3.ClusterStatus.newBuilder()
              .setName(c.name())
              .setObservabilityName(c.name())
              .setAddedViaApi(c.addedViaApi())
              .setEdsServiceName(c.edsServiceName())
              .setCircuitBreakers(CircuitBreakers.newBuilder()
                  .addThresholds(thresholds(RoutingPriority.DEFAULT, c.defaultPriority()))
                  .addThresholds(thresholds(RoutingPriority.HIGH, c.highPriority())));
      for (HostStatus h : c.hosts()) {
        io.envoyproxy.envoy.admin.v3.HostStatus.Builder hb =
            io.envoyproxy.envoy.admin.v3.HostStatus.newBuilder()
                .setAddress(address(h.address()))
                .setHealthStatus(health(h.healthFlags()))
                .setWeight(h.weight())
                .setHostname(h.hostname())
                .setPriority(h.priority())
                .setLocality(Locality.newBuilder()
                    .setRegion(h.region()).setZone(h.zone()).setSubZone(h.subZone()));
        h.counters().forEach((k, v) -> hb.addStats(metric(SimpleMetric.Type.COUNTER, k, v)));
        h.gauges().forEach((k, v) -> hb.addStats(metric(SimpleMetric.Type.GAUGE, k, v)));
        cb.addHostStatuses(hb);
      }
      b.addClusterStatuses(cb);
    }
    try {
      return JsonFormat.printer().preservingProtoFieldNames().print(b) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("admin.v3.Clusters holds no Any", e);
    }
  }

  private static void thresholds(StringBuilder out, String n, String prio, CircuitBreakerThresholds t) {
    String p = n + "::" + prio;
    line(out, p, "max_connections", Long.toString(t.maxConnections()));
    line(out, p, "max_pending_requests", Long.toString(t.maxPendingRequests()));
    line(out, p, "max_requests", Long.toString(t.maxRequests()));
    line(out, p, "max_retries", Long.toString(t.maxRetries()));
  }

  private static CircuitBreakers.Thresholds thresholds(RoutingPriority p, CircuitBreakerThresholds t) {
    return CircuitBreakers.Thresholds.newBuilder()
        .setPriority(p)
        .setMaxConnections(u32(t.maxConnections()))
        .setMaxPendingRequests(u32(t.maxPendingRequests()))
        .setMaxRequests(u32(t.maxRequests()))
        .setMaxRetries(u32(t.maxRetries()))
        .build();
  }

  private static UInt32Value u32(long v) {
    return UInt32Value.of((int) Math.min(v, 0xFFFF_FFFFL));
  }

  private static SimpleMetric metric(SimpleMetric.Type type, String name, long value) {
    return SimpleMetric.newBuilder().setType(type).setName(name).setValue(value).build();
  }

  /** Envoy's JSON health: EDS status from the eds flags, one boolean per other failure flag. */
  private static HostHealthStatus health(String flags) {
    HostHealthStatus.Builder b = HostHealthStatus.newBuilder();
    b.setEdsHealthStatus(flags.contains("/failed_eds_health") ? HealthStatus.UNHEALTHY
        : flags.contains("/degraded_eds_health") ? HealthStatus.DEGRADED : HealthStatus.HEALTHY);
    b.setFailedActiveHealthCheck(flags.contains("/failed_active_hc"));
    b.setFailedOutlierCheck(flags.contains("/failed_outlier_check"));
    b.setFailedActiveDegradedCheck(flags.contains("/degraded_active_hc"));
    b.setPendingDynamicRemoval(flags.contains("/pending_dynamic_removal"));
    b.setPendingActiveHc(flags.contains("/pending_active_hc"));
    b.setExcludedViaImmediateHcFail(flags.contains("/excluded_via_immediate_hc_fail"));
    b.setActiveHcTimeout(flags.contains("/active_hc_timeout"));
    return b.build();
  }

  /** {@code 127.0.0.1:8080} or {@code [::1]:8080}; anything else is kept whole as the address. */
  static Address address(String hostPort) {
    if (hostPort.startsWith("envoy://")) { // an internal listener: envoy://LISTENER/ENDPOINT_ID
      String rest = hostPort.substring("envoy://".length());
      int slash = rest.indexOf('/');
      return Address.newBuilder().setEnvoyInternalAddress(
          io.envoyproxy.envoy.config.core.v3.EnvoyInternalAddress.newBuilder()
              .setServerListenerName(slash < 0 ? rest : rest.substring(0, slash))
              .setEndpointId(slash < 0 ? "" : rest.substring(slash + 1))).build();
    }
    int colon = hostPort.lastIndexOf(':');
    SocketAddress.Builder s = SocketAddress.newBuilder();
    if (colon > 0 && colon < hostPort.length() - 1) {
      try {
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        return Address.newBuilder().setSocketAddress(s.setAddress(host).setPortValue(port)).build();
      } catch (NumberFormatException e) {
        // not host:port; fall through
      }
    }
    return Address.newBuilder().setSocketAddress(s.setAddress(hostPort)).build();
  }

  private static void line(StringBuilder out, String prefix, String key, String value) {
    out.append(prefix).append("::").append(key).append("::").append(value).append('\n');
  }
}
