package dev.egret.xds;

import static dev.egret.xds.Fixtures.assignment;
import static dev.egret.xds.Fixtures.edsCluster;
import static dev.egret.xds.Fixtures.listener;
import static dev.egret.xds.Fixtures.routes;
import static dev.egret.xds.Fixtures.snapshot;
import static dev.egret.xds.Fixtures.staticCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.upstream.Host;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Egret programmed over ADS by java-control-plane's server (real gRPC on 127.0.0.1), in state of the
 * world and delta: traffic end to end through Egret to local upstreams.
 */
class AdsClientTest {
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private DemoUpstream a;
  private DemoUpstream b;
  private ControlPlane cp;
  private EgretServer egret;

  @BeforeEach
  void upstreams() throws Exception {
    a = DemoUpstream.http1("upstream-a");
    b = DemoUpstream.http1("upstream-b");
    cp = new ControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    if (egret != null) {
      egret.close();
    }
    cp.close();
    a.close();
    b.close();
  }

  private void startEgret(boolean delta) throws Exception {
    Bootstrap boot = BootstrapLoader.parse(Fixtures.bootstrap(cp.port(), delta), "test", Bootstrap.newBuilder()).build();
    egret = EgretServer.start(boot, 2);
    egret.dynamicResources().setDrainMillis(2_000);
  }

  /** Version 1: EDS cluster "a" → upstream a, listener "l" with RDS "r" → "a". */
  private void pushInitial(String version) {
    cp.push(snapshot(version, List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "a"))));
  }

  private HttpResponse<String> get(String path) throws Exception {
    int port = egret.listenerAddress("l").getPort();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + egret.adminAddress().getPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private void awaitBody(String needle) throws InterruptedException {
    await("a response from " + needle, () -> {
      try {
        HttpResponse<String> r = get("/");
        return r.statusCode() == 200 && r.body().contains(needle);
      } catch (Exception e) {
        return false;
      }
    });
  }

  private boolean listenerBound() {
    try {
      egret.listenerAddress("l");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void awaitReady() throws Exception {
    await("/ready", () -> {
      try {
        return admin("/ready").statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** Whether the route table "r" Egret holds sends traffic to {@code cluster}. */
  private boolean routedTo(String cluster) {
    return egret.dynamicResources().snapshot().routes().stream().anyMatch(r -> r.resource().getName().equals("r")
        && r.resource().getVirtualHosts(0).getRoutes(0).getRoute().getCluster().equals(cluster));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void initialConfigServesThenRouteChangeAndClusterAddedAndRemoved(boolean delta) throws Exception {
    startEgret(delta);
    assertThat(admin("/ready").statusCode()).isEqualTo(503); // no snapshot yet: initial fetch pending
    pushInitial("1");
    awaitReady();
    assertThat(listenerBound()).isTrue();
    awaitBody("upstream-a");

    // route change (RDS only)
    cp.push(snapshot("2", List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "b"))));
    awaitBody("upstream-b");

    // cluster "c" added and routed to, then removed
    cp.push(snapshot("3", List.of(edsCluster("a"), staticCluster("b", b.port()), staticCluster("c", a.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "c"))));
    awaitBody("upstream-a");
    assertThat(egret.dynamicResources().clusters()).containsKey("c");
    cp.push(snapshot("4", List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "b"))));
    awaitBody("upstream-b");
    await("cluster c removed", () -> !egret.dynamicResources().clusters().containsKey("c"));

    String dump = admin("/config_dump").body();
    assertThat(dump).contains("dynamic_listeners", "dynamic_route_configs", "dynamic_active_clusters",
        "dynamic_endpoint_configs", "last_updated");
    // state of the world: the response's version; delta: each resource's own version
    String routeVersion = egret.dynamicResources().snapshot().routes().get(0).version();
    if (delta) {
      assertThat(routeVersion).isNotEmpty().isNotEqualTo("4");
    } else {
      assertThat(routeVersion).isEqualTo("4");
      assertThat(dump).contains("\"version_info\": \"4\"");
    }
    assertThat(admin("/config_dump?resource=dynamic_listeners").body()).contains("\"name\": \"l\"")
        .doesNotContain("dynamic_route_configs");

    // the node went out as Envoy sends it, once per stream (set_node_on_first_message_only)
    var node = delta ? cp.deltaRequests.get(0).getNode() : cp.requests.get(0).getNode();
    assertThat(node.getId()).startsWith("waypoint~");
    assertThat(node.getCluster()).isEqualTo("egret-test");
    assertThat(node.getUserAgentName()).isEqualTo("egret");
    assertThat(node.getClientFeaturesList()).contains(NodeInfo.NO_OVERPROVISIONING);
    long withNode = delta ? cp.deltaRequests.stream().filter(DeltaDiscoveryRequest::hasNode).count()
        : cp.requests.stream().filter(DiscoveryRequest::hasNode).count();
    assertThat(withNode).isEqualTo(1);
    assertThat(cp.callHeaders.get(0).get(io.grpc.Metadata.Key.of("clusterid", io.grpc.Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("Kubernetes"); // initial_metadata
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void edsScalesFromOneToFiftyHostsAndBackKeepingTheRemainingHost(boolean delta) throws Exception {
    startEgret(delta);
    pushInitial("1");
    awaitReady();
    awaitBody("upstream-a");
    Host first = egret.dynamicResources().clusters().get("a").hosts().get(0);
    List<Integer> fifty = new ArrayList<>();
    fifty.add(a.port());
    for (int i = 1; i < 50; i++) {
      fifty.add(20_000 + i); // never dialled: the balancer is not asked in this step
    }
    cp.push(snapshot("2", List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", fifty)), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "a"))));
    await("50 hosts", () -> egret.dynamicResources().clusters().get("a").hosts().size() == 50);
    assertThat(egret.dynamicResources().clusters().get("a").hosts().get(0)).isSameAs(first);
    assertThat(admin("/clusters").body()).contains("a::127.0.0.1:20049");
    cp.push(snapshot("3", List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "a"))));
    await("1 host", () -> egret.dynamicResources().clusters().get("a").hosts().size() == 1);
    assertThat(egret.dynamicResources().clusters().get("a").hosts().get(0)).isSameAs(first);
    awaitBody("upstream-a");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void badListenerIsNackedWithItsFieldPathAndOldConfigKeepsServing(boolean delta) throws Exception {
    startEgret(delta);
    pushInitial("1");
    awaitReady();
    awaitBody("upstream-a");
    var bad = listener("l", 0, "in", "r").toBuilder().setAddress(Fixtures.address("127.0.0.1", 70_000)).build();
    cp.push(snapshot("2", List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(bad), List.of(routes("r", "b"))));
    AtomicReference<String> detail = new AtomicReference<>();
    await("a NACK for LDS", () -> {
      Predicate<String> lds = LDS::equals;
      String msg = delta
          ? cp.deltaRequests.stream().filter(r -> lds.test(r.getTypeUrl()) && r.hasErrorDetail())
              .map(r -> r.getErrorDetail().getMessage()).findFirst().orElse(null)
          : cp.requests.stream().filter(r -> lds.test(r.getTypeUrl()) && r.hasErrorDetail())
              .peek(r -> assertThat(r.getVersionInfo()).isEqualTo("1")) // NACK carries the previous version
              .map(r -> r.getErrorDetail().getMessage()).findFirst().orElse(null);
      detail.set(msg);
      return msg != null;
    });
    assertThat(detail.get()).contains("address.socket_address.port_value [l]");
    // routes of version 2 were fine and applied (RDS is its own update); the listener stayed as it was
    awaitBody("upstream-b");
    assertThat(egret.dynamicResources().snapshot().listenersVersion()).isEqualTo("1");
    assertThat(admin("/stats/prometheus").body()).contains("envoy_listener_manager_lds_update_rejected")
        .contains("envoy_control_plane_connected_state 1");

    // a later valid version is accepted
    cp.push(snapshot("3", List.of(edsCluster("a"), staticCluster("b", b.port())),
        List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in2", "r")), List.of(routes("r", "a"))));
    await("listener version 3", () -> egret.dynamicResources().snapshot().listenersVersion().equals("3"));
    awaitBody("upstream-a");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void controlPlaneRestartKeepsConfigThenReconnectsAndResyncs(boolean delta) throws Exception {
    startEgret(delta);
    pushInitial("1");
    awaitReady();
    awaitBody("upstream-a");
    int port = cp.port();
    cp.stop();
    // the last good configuration keeps serving while the control plane is away
    for (int i = 0; i < 5; i++) {
      assertThat(get("/").body()).contains("upstream-a");
    }
    int before = delta ? cp.deltaRequests.size() : cp.requests.size();
    ControlPlane restarted = new ControlPlane().startOn(port);
    try {
      restarted.push(snapshot("2", List.of(edsCluster("a"), staticCluster("b", b.port())),
          List.of(assignment("a", List.of(a.port()))), List.of(listener("l", 0, "in", "r")), List.of(routes("r", "b"))));
      awaitBody("upstream-b");
      if (delta) {
        DeltaDiscoveryRequest first = restarted.deltaRequests.stream().filter(r -> r.getTypeUrl().equals(LDS))
            .findFirst().orElseThrow();
        assertThat(first.getInitialResourceVersionsMap()).containsKey("l");
      } else {
        DiscoveryRequest first = restarted.requests.stream().filter(r -> r.getTypeUrl().equals(LDS))
            .findFirst().orElseThrow();
        assertThat(first.getVersionInfo()).isEqualTo("1");
      }
      assertThat(before).isPositive();
    } finally {
      restarted.close();
    }
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void hundredPushesUnderSteadyLoadFailNoRequest(boolean delta) throws Exception {
    startEgret(delta);
    pushInitial("0");
    awaitReady();
    awaitBody("upstream-a");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      Thread t = new Thread(() -> {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        while (running.get() && failures.size() < 10) {
          try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + egret.listenerAddress("l").getPort() + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
              ok.incrementAndGet();
            } else {
              failures.add(r.statusCode() + " " + r.headers().map());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }, "load-" + c);
      t.start();
      clients.add(t);
    }
    try {
      await("some traffic before the pushes", () -> ok.get() > 0);
      for (int i = 1; i <= 100; i++) {
        String v = Integer.toString(i);
        boolean toB = i % 2 == 1; // every push changes the route table
        String prefix = i % 10 == 0 ? "in" + i : "in"; // every tenth push changes the listener: it drains
        List<Integer> eps = i % 3 == 0 ? List.of(a.port(), a.port() + 0) : List.of(a.port());
        cp.push(snapshot(v, List.of(edsCluster("a"), staticCluster("b", b.port())),
            List.of(assignment("a", eps)), List.of(listener("l", 0, prefix, "r")),
            List.of(routes("r", toB ? "b" : "a"))));
        String target = toB ? "b" : "a";
        await("version " + v + " applied", () -> routedTo(target));
      }
    } finally {
      running.set(false);
      for (Thread t : clients) {
        t.join(15_000);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(100);
    await("listener of push 100", () -> egret.dynamicResources().snapshot().listeners().get(0).resource()
        .equals(listener("l", 0, "in100", "r")));
  }
}
