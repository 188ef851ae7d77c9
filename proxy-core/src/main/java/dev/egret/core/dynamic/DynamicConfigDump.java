package dev.egret.core.dynamic;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import java.time.Instant;

/**
 * Adds a {@link ResourceManager}'s resources to a static {@code ConfigDump} in Envoy's shape:
 * {@code ClustersConfigDump.dynamic_active_clusters} / {@code dynamic_warming_clusters},
 * {@code ListenersConfigDump.dynamic_listeners} (their {@code active_state}, or {@code warming_state}
 * while waiting for routes),
 * {@code RoutesConfigDump.dynamic_route_configs}, and an {@code EndpointsConfigDump} with
 * {@code dynamic_endpoint_configs}; each with its {@code version_info} and {@code last_updated}.
 */
public final class DynamicConfigDump {
  private DynamicConfigDump() {}

  /** {@code base} with the dynamic resources of {@code s} merged in. */
  public static ConfigDump merge(ConfigDump base, ResourceManager.Snapshot s) {
    requireNonNull(base, "base");
    requireNonNull(s, "s");
    ConfigDump.Builder out = ConfigDump.newBuilder();
    for (Any a : base.getConfigsList()) {
      try {
        if (a.is(ClustersConfigDump.class)) {
          out.addConfigs(Any.pack(clusters(a.unpack(ClustersConfigDump.class).toBuilder(), s)));
        } else if (a.is(ListenersConfigDump.class)) {
          out.addConfigs(Any.pack(listeners(a.unpack(ListenersConfigDump.class).toBuilder(), s)));
        } else if (a.is(RoutesConfigDump.class)) {
          out.addConfigs(Any.pack(routes(a.unpack(RoutesConfigDump.class).toBuilder(), s)));
          out.addConfigs(Any.pack(endpoints(s)));
        } else {
          out.addConfigs(a);
        }
      } catch (InvalidProtocolBufferException e) {
        out.addConfigs(a); // cannot happen for dumps we built; keep the entry as it was
      }
    }
    return out.build();
  }

  private static ClustersConfigDump clusters(ClustersConfigDump.Builder b, ResourceManager.Snapshot s) {
    b.setVersionInfo(s.clustersVersion());
    s.activeClusters().forEach(c -> b.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder()
        .setVersionInfo(c.version()).setCluster(Any.pack(c.resource())).setLastUpdated(ts(c.lastUpdated()))));
    s.warmingClusters().forEach(c -> b.addDynamicWarmingClusters(ClustersConfigDump.DynamicCluster.newBuilder()
        .setVersionInfo(c.version()).setCluster(Any.pack(c.resource())).setLastUpdated(ts(c.lastUpdated()))));
    return b.build();
  }

  private static ListenersConfigDump listeners(ListenersConfigDump.Builder b, ResourceManager.Snapshot s) {
    b.setVersionInfo(s.listenersVersion());
    s.listeners().forEach(l -> b.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder()
        .setName(l.resource().getName())
        .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder().setVersionInfo(l.version())
            .setListener(Any.pack(l.resource())).setLastUpdated(ts(l.lastUpdated())))));
    s.warmingListeners().forEach(l -> b.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder()
        .setName(l.resource().getName())
        .setWarmingState(ListenersConfigDump.DynamicListenerState.newBuilder().setVersionInfo(l.version())
            .setListener(Any.pack(l.resource())).setLastUpdated(ts(l.lastUpdated())))));
    return b.build();
  }

  private static RoutesConfigDump routes(RoutesConfigDump.Builder b, ResourceManager.Snapshot s) {
    s.routes().forEach(r -> b.addDynamicRouteConfigs(RoutesConfigDump.DynamicRouteConfig.newBuilder()
        .setVersionInfo(r.version()).setRouteConfig(Any.pack(r.resource())).setLastUpdated(ts(r.lastUpdated()))));
    return b.build();
  }

  private static EndpointsConfigDump endpoints(ResourceManager.Snapshot s) {
    EndpointsConfigDump.Builder b = EndpointsConfigDump.newBuilder();
    s.endpoints().forEach(e -> b.addDynamicEndpointConfigs(EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
        .setVersionInfo(e.version()).setEndpointConfig(Any.pack(e.resource())).setLastUpdated(ts(e.lastUpdated()))));
    return b.build();
  }

  private static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
