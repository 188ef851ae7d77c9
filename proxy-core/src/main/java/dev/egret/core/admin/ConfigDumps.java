package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Envoy's {@code ConfigDump} shape for configuration Egret holds. The dump is unredacted;
 * {@code /config_dump} redacts secrets when it prints.
 */
public final class ConfigDumps {
  private static final String HCM_TYPE = "type.googleapis.com/"
      + HttpConnectionManager.getDescriptor().getFullName();

  private ConfigDumps() {}

  /**
   * The dump of a static bootstrap, in Envoy's order: {@code BootstrapConfigDump};
   * {@code ClustersConfigDump.static_clusters}; {@code ListenersConfigDump.static_listeners};
   * {@code RoutesConfigDump.static_route_configs} holding the inline {@code route_config} of every
   * HTTP connection manager found directly in a listener's filter chains (including the default
   * chain); {@code SecretsConfigDump.static_secrets}. Everything carries {@code loadedAt} as its
   * {@code last_updated}.
   */
  public static ConfigDump fromStatic(Bootstrap bootstrap, Instant loadedAt) {
    requireNonNull(bootstrap, "bootstrap");
    Timestamp at = timestamp(requireNonNull(loadedAt, "loadedAt"));
    BootstrapConfigDump boot =
        BootstrapConfigDump.newBuilder().setBootstrap(bootstrap).setLastUpdated(at).build();

    ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder();
    for (Cluster c : bootstrap.getStaticResources().getClustersList()) {
      clusters.addStaticClusters(ClustersConfigDump.StaticCluster.newBuilder()
          .setCluster(Any.pack(c)).setLastUpdated(at));
    }

    ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder();
    RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
    for (Listener l : bootstrap.getStaticResources().getListenersList()) {
      listeners.addStaticListeners(ListenersConfigDump.StaticListener.newBuilder()
          .setListener(Any.pack(l)).setLastUpdated(at));
      for (HttpConnectionManager hcm : httpConnectionManagers(l)) {
        if (hcm.hasRouteConfig()) {
          routes.addStaticRouteConfigs(RoutesConfigDump.StaticRouteConfig.newBuilder()
              .setRouteConfig(Any.pack(hcm.getRouteConfig())).setLastUpdated(at));
        }
      }
    }

    SecretsConfigDump.Builder secrets = SecretsConfigDump.newBuilder();
    for (Secret s : bootstrap.getStaticResources().getSecretsList()) {
      secrets.addStaticSecrets(SecretsConfigDump.StaticSecret.newBuilder()
          .setName(s.getName()).setSecret(Any.pack(s)).setLastUpdated(at));
    }

    return ConfigDump.newBuilder()
        .addConfigs(Any.pack(boot))
        .addConfigs(Any.pack(clusters.build()))
        .addConfigs(Any.pack(listeners.build()))
        .addConfigs(Any.pack(routes.build()))
        .addConfigs(Any.pack(secrets.build()))
        .build();
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static List<HttpConnectionManager> httpConnectionManagers(Listener l) {
    List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      chains.add(l.getDefaultFilterChain());
    }
    List<HttpConnectionManager> out = new ArrayList<>();
    for (FilterChain chain : chains) {
      for (Filter f : chain.getFiltersList()) {
        if (f.hasTypedConfig() && f.getTypedConfig().getTypeUrl().equals(HCM_TYPE)) {
          try {
            out.add(f.getTypedConfig().unpack(HttpConnectionManager.class));
          } catch (InvalidProtocolBufferException e) {
            // an undecodable filter config is the compiler's to report; it has no route to dump
          }
        }
      }
    }
    return out;
  }
}
