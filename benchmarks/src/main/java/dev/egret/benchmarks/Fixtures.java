package dev.egret.benchmarks;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/**
 * The configurations the benchmarks run on, built in code so that every run measures the same input.
 *
 * <p>{@link #routes} is {@code vhosts} virtual hosts of five routes each. Virtual host {@code i} has
 * the exact domains {@code svc<i>.example.com} and {@code svc<i>.example.com:80}; every tenth one also
 * has the wildcard {@code *.t<i>.example.org}. Its routes, in order: path {@code /healthz}; prefix
 * {@code /api/v1/} with header {@code x-canary: true}; regex {@code /users/[0-9]+/orders}; prefix
 * {@code /api/}; prefix {@code /}. There is no {@code *} domain, so unknown hosts miss.
 */
final class Fixtures {
  /** Routes per virtual host in {@link #routes}. */
  static final int ROUTES_PER_VHOST = 5;

  private Fixtures() {}

  /** The cluster virtual host {@code i} routes to, given {@code clusters} clusters. */
  static String clusterFor(int vhost, int route, int clusters) {
    return "cluster-" + ((vhost * ROUTES_PER_VHOST + route) % clusters);
  }

  /** {@code vhosts} × 5 routes spread over clusters {@code cluster-0 … cluster-<clusters-1>}. */
  static RouteConfiguration routes(int vhosts, int clusters) {
    RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName("bench_routes");
    for (int i = 0; i < vhosts; i++) {
      VirtualHost.Builder vh = VirtualHost.newBuilder()
          .setName("vh-" + i)
          .addDomains("svc" + i + ".example.com")
          .addDomains("svc" + i + ".example.com:80");
      if (i % 10 == 0) {
        vh.addDomains("*.t" + i + ".example.org");
      }
      vh.addRoutes(route(RouteMatch.newBuilder().setPath("/healthz"), clusterFor(i, 0, clusters)));
      vh.addRoutes(route(RouteMatch.newBuilder().setPrefix("/api/v1/")
          .addHeaders(HeaderMatcher.newBuilder().setName("x-canary")
              .setStringMatch(StringMatcher.newBuilder().setExact("true"))), clusterFor(i, 1, clusters)));
      vh.addRoutes(route(RouteMatch.newBuilder()
          .setSafeRegex(RegexMatcher.newBuilder().setRegex("/users/[0-9]+/orders")), clusterFor(i, 2, clusters)));
      vh.addRoutes(route(RouteMatch.newBuilder().setPrefix("/api/"), clusterFor(i, 3, clusters)));
      vh.addRoutes(route(RouteMatch.newBuilder().setPrefix("/"), clusterFor(i, 4, clusters)));
      rc.addVirtualHosts(vh);
    }
    return rc.build();
  }

  private static Route route(RouteMatch.Builder match, String cluster) {
    return Route.newBuilder().setMatch(match).setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  /**
   * A static bootstrap: {@code clusters} STATIC clusters (one endpoint each, on 10.0.0.0/8) and one
   * listener whose HTTP connection manager holds {@code vhosts} × 5 routes over those clusters.
   */
  static Bootstrap bootstrap(int clusters, int vhosts) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("bench_http")
        .setRouteConfig(routes(vhosts, clusters))
        .addHttpFilters(HttpFilter.newBuilder()
            .setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    Listener listener = Listener.newBuilder()
        .setName("bench")
        .setAddress(socketAddress("127.0.0.1", 0))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(hcm))))
        .build();
    Bootstrap.StaticResources.Builder sr = Bootstrap.StaticResources.newBuilder().addListeners(listener);
    for (int i = 0; i < clusters; i++) {
      String name = "cluster-" + i;
      String ip = "10." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF);
      sr.addClusters(Cluster.newBuilder()
          .setName(name)
          .setType(Cluster.DiscoveryType.STATIC)
          .setLoadAssignment(ClusterLoadAssignment.newBuilder()
              .setClusterName(name)
              .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                  .setEndpoint(Endpoint.newBuilder().setAddress(socketAddress(ip, 8080)))))));
    }
    return Bootstrap.newBuilder().setStaticResources(sr).build();
  }

  private static Address socketAddress(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
