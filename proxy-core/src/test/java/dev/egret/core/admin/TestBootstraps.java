package dev.egret.core.admin;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
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
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;

/** A small static bootstrap: listener "ingress" (HCM with inline routes → cluster "web"), one secret. */
final class TestBootstraps {
  static final String PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nsecret-key-material\n";

  private TestBootstraps() {}

  static Bootstrap small() {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("ingress_http")
        .setRouteConfig(RouteConfiguration.newBuilder()
            .setName("local_route")
            .addVirtualHosts(VirtualHost.newBuilder()
                .setName("all").addDomains("*")
                .addRoutes(Route.newBuilder()
                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setRoute(RouteAction.newBuilder().setCluster("web")))))
        .addHttpFilters(HttpFilter.newBuilder()
            .setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    Listener listener = Listener.newBuilder()
        .setName("ingress")
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(10000)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(hcm))))
        .build();
    Cluster cluster = Cluster.newBuilder()
        .setName("web")
        .setType(Cluster.DiscoveryType.STATIC)
        .build();
    Secret secret = Secret.newBuilder()
        .setName("server_cert")
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString("-----BEGIN CERTIFICATE-----"))
            .setPrivateKey(DataSource.newBuilder().setInlineString(PRIVATE_KEY)))
        .build();
    return Bootstrap.newBuilder()
        .setStaticResources(Bootstrap.StaticResources.newBuilder()
            .addListeners(listener).addClusters(cluster).addSecrets(secret))
        .build();
  }
}
