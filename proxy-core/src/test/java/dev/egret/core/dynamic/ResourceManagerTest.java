package dev.egret.core.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import dev.egret.core.EgretServer;
import dev.egret.core.config.ConfigException;
import dev.egret.core.demo.DemoUpstream;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResourceManagerTest {
  private DemoUpstream a;
  private DemoUpstream b;
  private EgretServer server;
  private ResourceManager rm;

  @BeforeEach
  void start() throws Exception {
    a = DemoUpstream.http1("upstream-a");
    b = DemoUpstream.http1("upstream-b");
    server = EgretServer.start(Bootstrap.getDefaultInstance(), 1);
    rm = server.dynamicResources();
    rm.setDrainMillis(5_000);
  }

  @AfterEach
  void stop() {
    server.close();
    a.close();
    b.close();
  }

  static Cluster staticCluster(String name, int port) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
        .setLoadAssignment(assignment(name, port)).build();
  }

  static Cluster edsCluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
        .build();
  }

  static ClusterLoadAssignment assignment(String name, int... ports) {
    LocalityLbEndpoints.Builder g = LocalityLbEndpoints.newBuilder();
    for (int p : ports) {
      g.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address(p))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(g).build();
  }

  static Address address(int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1")
        .setPortValue(port)).build();
  }

  static RouteConfiguration routes(String name, String cluster) {
    return RouteConfiguration.newBuilder().setName(name).addVirtualHosts(VirtualHost.newBuilder()
        .setName("all").addDomains("*").addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster)))).build();
  }

  static Listener rdsListener(String name, int port, String statPrefix, String routeName) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setRouteConfigName(routeName)
            .setConfigSource(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder().setName(name).setAddress(address(port))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private int listenerPort() {
    return server.listenerAddress("l").getPort();
  }

  /** Sends GET / on {@code s} and returns the response head (lower-cased) and body. */
  private static String exchange(Socket s, BufferedReader in) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: svc\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder head = new StringBuilder();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      head.append(line.toLowerCase(java.util.Locale.ROOT)).append('\n');
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int n = 0;
    while (n < length) {
      int r = in.read(body, n, length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return head + "\n" + new String(body, 0, n);
  }

  private String get() throws Exception {
    try (Socket s = new Socket("127.0.0.1", listenerPort())) {
      s.setSoTimeout(10_000);
      return exchange(s, new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)));
    }
  }

  private void initial() throws ConfigException {
    rm.applyClusters(Map.of("a", staticCluster("a", a.port()), "b", staticCluster("b", b.port())), Set.of(), "1");
    rm.applyListeners(Map.of("l", rdsListener("l", 0, "in", "r")), Set.of(), "1");
    rm.applyRoutes(Map.of("r", routes("r", "a")), Set.of(), "1");
  }

  @Test
  void rdsSwapRoutesTheNextRequestToTheNewCluster() throws Exception {
    initial();
    assertThat(get()).startsWith("http/1.1 200").contains("upstream-a");
    rm.applyRoutes(Map.of("r", routes("r", "b")), Set.of(), "2");
    assertThat(get()).startsWith("http/1.1 200").contains("upstream-b");
    assertThat(rm.routeNames()).containsExactly("r");
  }

  @Test
  void listenerWarmsUntilItsRoutesArriveWhileThePreviousVersionServes() throws Exception {
    rm.applyClusters(Map.of("a", staticCluster("a", a.port()), "b", staticCluster("b", b.port())), Set.of(), "1");
    rm.applyListeners(Map.of("l", rdsListener("l", 0, "in", "r")), Set.of(), "1");
    assertThat(rm.snapshot().warmingListeners()).hasSize(1);
    assertThatThrownBy(() -> server.listenerAddress("l")).isInstanceOf(IllegalArgumentException.class);
    assertThat(rm.routeNames()).containsExactly("r");
    rm.applyRoutes(Map.of("r", routes("r", "a")), Set.of(), "1");
    assertThat(rm.snapshot().warmingListeners()).isEmpty();
    assertThat(get()).contains("upstream-a");

    // the same listener now wants another route table: the old one serves until "r2" arrives
    rm.applyListeners(Map.of("l", rdsListener("l", 0, "in", "r2")), Set.of(), "2");
    assertThat(rm.routeNames()).containsExactly("r", "r2");
    assertThat(get()).contains("upstream-a");
    rm.applyRoutes(Map.of("r2", routes("r2", "b")), Set.of(), "2");
    assertThat(get()).contains("upstream-b");
    assertThat(rm.routeNames()).containsExactly("r2");
  }

  @Test
  void invalidListenerIsRejectedWithItsFieldPathAndChangesNothing() throws Exception {
    initial();
    Listener bad = rdsListener("l", 0, "in", "r").toBuilder().setAddress(address(70000)).build();
    assertThatThrownBy(() -> rm.applyListeners(Map.of("l", bad, "m", rdsListener("m", 0, "", "r")), Set.of(), "2"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          List<String> errors = new ArrayList<>();
          e.errors().forEach(x -> errors.add(x.resource() + ":" + x.path()));
          assertThat(errors).contains("l:address.socket_address.port_value");
          assertThat(errors).anyMatch(x -> x.startsWith("m:filter_chains[0]"));
        });
    assertThat(get()).startsWith("http/1.1 200").contains("upstream-a");
    assertThatThrownBy(() -> server.listenerAddress("m")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void changedListenerKeepsItsSocketAndClosesOldKeepAliveConnectionAfterNextResponse() throws Exception {
    initial();
    int port = listenerPort();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(exchange(s, in)).doesNotContain("connection: close");
      rm.applyListeners(Map.of("l", rdsListener("l", 0, "in2", "r")), Set.of(), "2");
      assertThat(listenerPort()).isEqualTo(port);
      assertThat(exchange(s, in)).startsWith("http/1.1 200").contains("connection: close");
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(get()).startsWith("http/1.1 200").doesNotContain("connection: close");
  }

  @Test
  void changedListenerSendsGoawayToHttp2ConnectionAfterLettingItsStreamFinish() throws Exception {
    initial();
    try (var h2 = new dev.egret.core.testing.H2cClient(listenerPort())) {
      assertThat(h2.get("svc", "/").status()).isEqualTo(200);
      var slow = h2.getAsync("svc", "/sleep/300");
      long seen = System.nanoTime() + 10_000_000_000L;
      while (a.requests().stream().noneMatch(r -> r.uri().equals("/sleep/300")) && System.nanoTime() < seen) {
        Thread.sleep(5); // the stream is open at Egret once the upstream has it
      }
      rm.applyListeners(Map.of("l", rdsListener("l", 0, "in2", "r")), Set.of(), "2");
      assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (h2.isOpen() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(h2.goAwayReceived()).isTrue();
      assertThat(h2.isOpen()).isFalse();
    }
    try (var fresh = new dev.egret.core.testing.H2cClient(listenerPort())) {
      assertThat(fresh.get("svc", "/").status()).isEqualTo(200);
    }
  }

  @Test
  void edsClusterWarmsUntilItsEndpointsArriveAndKeepsRemainingHosts() throws Exception {
    rm.applyListeners(Map.of("l", rdsListener("l", 0, "in", "r")), Set.of(), "1");
    rm.applyRoutes(Map.of("r", routes("r", "e")), Set.of(), "1");
    rm.applyClusters(Map.of("e", edsCluster("e")), Set.of(), "1");
    assertThat(rm.endpointNames()).containsExactly("e");
    assertThat(rm.snapshot().warmingClusters()).hasSize(1);
    assertThat(get()).startsWith("http/1.1 503"); // not active yet: no cluster
    rm.applyEndpoints(Map.of("e", assignment("e", a.port())), Set.of(), "1");
    assertThat(rm.snapshot().activeClusters()).hasSize(1);
    assertThat(get()).contains("upstream-a");
    var host = rm.clusters().get("e").hosts().get(0);
    rm.applyEndpoints(Map.of("e", assignment("e", a.port(), b.port())), Set.of(), "2");
    assertThat(rm.clusters().get("e").hosts()).hasSize(2).first().isSameAs(host);
    rm.applyEndpoints(Map.of("e", assignment("e", b.port())), Set.of(), "3");
    assertThat(get()).contains("upstream-b");
  }

  @Test
  void edsTakesLocalityAndHealthAsControlPlanesSendThemSkippingUnhealthyHosts() throws Exception {
    rm.applyClusters(Map.of("e", edsCluster("e")), Set.of(), "1");
    ClusterLoadAssignment la = assignment("e", a.port(), b.port()).toBuilder()
        .setEndpoints(0, assignment("e", a.port(), b.port()).getEndpoints(0).toBuilder()
            .setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder().setRegion("r1").setZone("z1"))
            .setLbEndpoints(1, assignment("e", b.port()).getEndpoints(0).getLbEndpoints(0).toBuilder()
                .setHealthStatus(io.envoyproxy.envoy.config.core.v3.HealthStatus.UNHEALTHY)))
        .build();
    rm.applyEndpoints(Map.of("e", la), Set.of(), "1");
    assertThat(rm.clusters().get("e").hosts()).singleElement()
        .satisfies(h -> assertThat(h.address().getPort()).isEqualTo(a.port()));
    ClusterLoadAssignment failover = la.toBuilder().setEndpoints(0, la.getEndpoints(0).toBuilder().setPriority(1)).build();
    assertThatThrownBy(() -> rm.applyEndpoints(Map.of("e", failover), Set.of(), "2"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .satisfies(x -> assertThat(x.path()).isEqualTo("endpoints[0].priority")));
  }

  @Test
  void removedClusterAnswers503AndStaticNamesCannotBeTaken() throws Exception {
    initial();
    rm.applyClusters(Map.of(), Set.of("a"), "2");
    assertThat(get()).startsWith("http/1.1 503");
    assertThatThrownBy(() -> rm.applyEndpoints(Map.of("x", ClusterLoadAssignment.newBuilder()
        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(
                SocketAddress.newBuilder().setAddress("not-an-ip").setPortValue(80)))))).build()), Set.of(), "1"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .satisfies(x -> assertThat(x.path()).isEqualTo("endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address")));
  }

  @Test
  void configDumpShowsDynamicResourcesWithVersions() throws Exception {
    initial();
    var dump = DynamicConfigDump.merge(io.envoyproxy.envoy.admin.v3.ConfigDump.newBuilder()
        .addConfigs(Any.pack(io.envoyproxy.envoy.admin.v3.ClustersConfigDump.getDefaultInstance()))
        .addConfigs(Any.pack(io.envoyproxy.envoy.admin.v3.ListenersConfigDump.getDefaultInstance()))
        .addConfigs(Any.pack(io.envoyproxy.envoy.admin.v3.RoutesConfigDump.getDefaultInstance())).build(), rm.snapshot());
    String json = JsonFormat.printer().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
        .add(io.envoyproxy.envoy.admin.v3.ClustersConfigDump.getDescriptor())
        .add(io.envoyproxy.envoy.admin.v3.ListenersConfigDump.getDescriptor())
        .add(io.envoyproxy.envoy.admin.v3.RoutesConfigDump.getDescriptor())
        .add(io.envoyproxy.envoy.admin.v3.EndpointsConfigDump.getDescriptor())
        .add(Cluster.getDescriptor()).add(Listener.getDescriptor()).add(RouteConfiguration.getDescriptor())
        .add(HttpConnectionManager.getDescriptor()).add(Router.getDescriptor()).build()).print(dump);
    assertThat(json).contains("\"dynamicActiveClusters\"", "\"dynamicListeners\"", "\"dynamicRouteConfigs\"",
        "\"versionInfo\": \"1\"", "\"lastUpdated\"");
  }
}
