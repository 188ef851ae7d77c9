package dev.egret.xds;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;

/** Envoy resources for the xDS tests. */
final class Fixtures {
  private Fixtures() {}

  static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  static String bootstrap(int xdsPort, boolean delta) {
    return bootstrap(xdsPort, delta, "");
  }

  /** With {@code tlsContext} (the flow-style body of an UpstreamTlsContext) the xDS cluster speaks TLS. */
  static String bootstrap(int xdsPort, boolean delta, String tlsContext) {
    String ts = tlsContext.isEmpty() ? "" : "    transport_socket: { name: envoy.transport_sockets.tls, typed_config: "
        + "{ \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext, "
        + tlsContext + " } }\n";
    return """
        node: { id: "waypoint~127.0.0.1~egret-test.default~default.svc.cluster.local", cluster: egret-test }
        admin: { address: { socket_address: { address: 127.0.0.1, port_value: 0 } } }
        static_resources:
          clusters:
          - name: xds-grpc
            type: STATIC
            load_assignment:
              cluster_name: xds-grpc
              endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } } } ] } ]
        %sdynamic_resources:
          ads_config:
            api_type: %s
            transport_api_version: V3
            set_node_on_first_message_only: true
            grpc_services: [ { envoy_grpc: { cluster_name: xds-grpc }, initial_metadata: [ { key: ClusterID, value: Kubernetes } ] } ]
          lds_config: { ads: {}, resource_api_version: V3, initial_fetch_timeout: 0s }
          cds_config: { ads: {}, resource_api_version: V3, initial_fetch_timeout: 0s }
        """.formatted(xdsPort, ts, delta ? "DELTA_GRPC" : "GRPC");
  }

  static Address address(String ip, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
  }

  static Cluster staticCluster(String name, int port) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
        .setLoadAssignment(assignment(name, List.of(port))).build();
  }

  static Cluster edsCluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build();
  }

  /** Endpoints on 127.0.0.1 at {@code ports}. */
  static ClusterLoadAssignment assignment(String name, List<Integer> ports) {
    LocalityLbEndpoints.Builder g = LocalityLbEndpoints.newBuilder();
    for (int p : ports) {
      g.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address("127.0.0.1", p))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(g).build();
  }

  static RouteConfiguration routes(String name, String cluster) {
    return RouteConfiguration.newBuilder().setName(name).addVirtualHosts(VirtualHost.newBuilder()
        .setName("all").addDomains("*").addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster)))).build();
  }

  static Listener listener(String name, int port, String statPrefix, String routeName) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(ADS))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder().setName(name).setAddress(address("127.0.0.1", port))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  static Snapshot snapshot(String version, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners, List<RouteConfiguration> routes) {
    return Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version);
  }
}
