package dev.egret.xds;

import com.google.protobuf.Message;
import dev.egret.core.config.ConfigException;
import dev.egret.core.dynamic.ResourceManager;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Map;
import java.util.Set;

/**
 * The resource types Egret subscribes to over ADS, in the order Envoy requests them (clusters, then
 * their endpoints, then listeners, then their routes). LDS and CDS are wildcard subscriptions; RDS
 * and EDS name what the accepted listeners and clusters reference. In state of the world, a
 * wildcard response lists every resource, so a name missing from it is a removal.
 */
enum ResourceType {
  CLUSTER(Cluster.class, true, "cluster_manager.cds"),
  ENDPOINT(ClusterLoadAssignment.class, false, "cluster_manager.eds"),
  LISTENER(Listener.class, true, "listener_manager.lds"),
  ROUTE(RouteConfiguration.class, false, "http.rds");

  final Class<? extends Message> messageClass;
  final String typeUrl;
  final boolean wildcard;
  /** Scope of the {@code update_success} / {@code update_rejected} counters (Envoy's for CDS and LDS). */
  final String statScope;

  ResourceType(Class<? extends Message> messageClass, boolean wildcard, String statScope) {
    this.statScope = statScope;
    this.messageClass = messageClass;
    this.typeUrl = "type.googleapis.com/" + com.google.protobuf.Internal.getDefaultInstance(messageClass)
        .getDescriptorForType().getFullName();
    this.wildcard = wildcard;
  }

  static ResourceType of(String typeUrl) {
    for (ResourceType t : values()) {
      if (t.typeUrl.equals(typeUrl)) {
        return t;
      }
    }
    return null;
  }

  /** The name a resource is known by. */
  static String nameOf(Message m) {
    if (m instanceof Cluster c) {
      return c.getName();
    } else if (m instanceof ClusterLoadAssignment c) {
      return c.getClusterName();
    } else if (m instanceof Listener l) {
      return l.getName();
    } else if (m instanceof RouteConfiguration r) {
      return r.getName();
    }
    throw new IllegalArgumentException(m.getClass().getName());
  }

  /** Hands an update to the resource manager; all or nothing. */
  @SuppressWarnings("unchecked")
  void apply(ResourceManager rm, Map<String, ? extends Message> upserts, Set<String> removed, String version,
      Map<String, String> resourceVersions) throws ConfigException {
    switch (this) {
      case CLUSTER -> rm.applyClusters((Map<String, Cluster>) upserts, removed, version, resourceVersions);
      case ENDPOINT -> rm.applyEndpoints((Map<String, ClusterLoadAssignment>) upserts, removed, version, resourceVersions);
      case LISTENER -> rm.applyListeners((Map<String, Listener>) upserts, removed, version, resourceVersions);
      case ROUTE -> rm.applyRoutes((Map<String, RouteConfiguration>) upserts, removed, version, resourceVersions);
      default -> throw new IllegalStateException(name());
    }
  }
}
