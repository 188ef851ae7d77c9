package dev.egret.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.stats.Stats;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
  private AdminHarness h;
  private FakeAdmin admin;
  private AdminServer server;

  @BeforeEach
  void start() {
    h = new AdminHarness();
    admin = h.admin;
    server = h.server;
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return h.get(pathAndQuery);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return h.send(b);
  }

  private URI uri(String pathAndQuery) {
    return h.uri(pathAndQuery);
  }

  @Test
  void bindsLoopbackEphemeralPort() {
    assertThat(server.localAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(server.localAddress().getPort()).isPositive();
  }

  @Test
  void readyFlipsFrom503PreInitializingTo200Live() throws Exception {
    HttpResponse<String> before = get("/ready");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).isEqualTo("PRE_INITIALIZING\n");

    admin.ready = true;

    HttpResponse<String> after = get("/ready");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).isEqualTo("LIVE\n");
    assertThat(after.headers().firstValue("content-type")).hasValue("text/plain; charset=UTF-8");
  }

  @Test
  void prometheusServesEnvoyNamesWithMicrometerNumbers() throws Exception {
    Stats stats = admin.stats;
    for (int i = 0; i < 3; i++) {
      stats.cluster("web").upstreamRqTotal.inc();
    }
    stats.cluster("web").upstreamCxConnectFail.inc();
    stats.http("ingress_http").downstreamRqTotal.add(5);
    stats.http("ingress_http").downstreamResponse(200);
    stats.http("ingress_http").downstreamResponse(201);

    HttpResponse<String> r = get("/stats/prometheus");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body())
        .contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"web\"} 3.0\n")
        .contains("envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name=\"web\"} 1.0\n")
        .contains("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"ingress_http\"} 5.0\n")
        .contains("envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix=\"ingress_http\","
            + "envoy_response_code_class=\"2\"} 2.0\n")
        .isEqualTo(stats.scrape());
  }

  @Test
  void statsFormatPrometheusIsTheSameScrape() throws Exception {
    admin.stats.cluster("web").upstreamRqTotal.inc();

    HttpResponse<String> r = get("/stats?format=prometheus");

    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"web\"} 1.0\n");
  }

  @Test
  void plainStatsUseEnvoyDottedNamesSortedOnePerLine() throws Exception {
    Stats stats = admin.stats;
    for (int i = 0; i < 3; i++) {
      stats.cluster("web").upstreamRqTotal.inc();
    }
    stats.http("ingress_http").downstreamRqTotal.add(5);
    stats.http("ingress_http").downstreamResponse(200);
    stats.listener("127.0.0.1_8080").downstreamCxTotal.inc();

    HttpResponse<String> r = get("/stats");

    assertThat(r.statusCode()).isEqualTo(200);
    List<String> lines = r.body().lines().toList();
    assertThat(lines)
        .contains("cluster.web.upstream_rq_total: 3", "cluster.web.upstream_cx_connect_fail: 0",
            "cluster.web.upstream_rq_2xx: 0", "http.ingress_http.downstream_rq_total: 5",
            "http.ingress_http.downstream_rq_2xx: 1", "http.ingress_http.downstream_rq_5xx: 0",
            "listener.127.0.0.1_8080.downstream_cx_total: 1")
        .isSorted()
        .doesNotHaveDuplicates()
        .allMatch(l -> l.matches("[^ ]+: -?[0-9.]+"));
  }

  @Test
  void plainStatsFilterKeepsNamesMatchingRegexAnywhere() throws Exception {
    admin.stats.cluster("web").upstreamRqTotal.inc();
    admin.stats.http("ingress_http").downstreamRqTotal.inc();

    HttpResponse<String> r = get("/stats?filter=" + java.net.URLEncoder.encode("rq_total$", "UTF-8"));

    assertThat(r.body().lines().toList()).containsExactly(
        "cluster.web.upstream_rq_total: 1", "http.ingress_http.downstream_rq_total: 1");
  }

  @Test
  void plainStatsRejectInvalidFilterWith400() throws Exception {
    HttpResponse<String> r = get("/stats?filter=%28unclosed");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).startsWith("Invalid regex");
  }

  @Test
  void statsJsonListsNameValuePairs() throws Exception {
    admin.stats.cluster("web").upstreamRqTotal.add(7);

    HttpResponse<String> r = get("/stats?format=json&filter=upstream_rq_total");

    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo("{\"stats\":[{\"name\":\"cluster.web.upstream_rq_total\",\"value\":7}]}\n");
  }

  @Test
  void clustersTextUsesEnvoyDoubleColonLines() throws Exception {
    admin.clusters = List.of(ClusterStatus.of("web", false,
        List.of(HostStatus.healthy("127.0.0.1:8080", 1, 4, 1, 3, 0))));

    HttpResponse<String> r = get("/clusters");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body().lines().toList()).containsExactly(
        "web::observability_name::web",
        "web::default_priority::max_connections::1024",
        "web::default_priority::max_pending_requests::1024",
        "web::default_priority::max_requests::1024",
        "web::default_priority::max_retries::3",
        "web::high_priority::max_connections::1024",
        "web::high_priority::max_pending_requests::1024",
        "web::high_priority::max_requests::1024",
        "web::high_priority::max_retries::3",
        "web::added_via_api::false",
        "web::127.0.0.1:8080::cx_active::1",
        "web::127.0.0.1:8080::cx_connect_fail::0",
        "web::127.0.0.1:8080::cx_total::4",
        "web::127.0.0.1:8080::rq_active::0",
        "web::127.0.0.1:8080::rq_error::0",
        "web::127.0.0.1:8080::rq_success::0",
        "web::127.0.0.1:8080::rq_timeout::0",
        "web::127.0.0.1:8080::rq_total::3",
        "web::127.0.0.1:8080::hostname::",
        "web::127.0.0.1:8080::health_flags::healthy",
        "web::127.0.0.1:8080::weight::1",
        "web::127.0.0.1:8080::region::",
        "web::127.0.0.1:8080::zone::",
        "web::127.0.0.1:8080::sub_zone::",
        "web::127.0.0.1:8080::canary::false",
        "web::127.0.0.1:8080::priority::0",
        "web::127.0.0.1:8080::success_rate::-1",
        "web::127.0.0.1:8080::local_origin_success_rate::-1");
  }

  @Test
  void clustersJsonIsAdminClustersProto() throws Exception {
    admin.clusters = List.of(ClusterStatus.of("web", true,
        List.of(HostStatus.healthy("[::1]:9090", 5, 0, 0, 2, 0))));

    HttpResponse<String> r = get("/clusters?format=json");

    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    io.envoyproxy.envoy.admin.v3.Clusters.Builder parsed = io.envoyproxy.envoy.admin.v3.Clusters.newBuilder();
    com.google.protobuf.util.JsonFormat.parser().merge(r.body(), parsed);
    io.envoyproxy.envoy.admin.v3.ClusterStatus c = parsed.getClusterStatuses(0);
    assertThat(c.getName()).isEqualTo("web");
    assertThat(c.getAddedViaApi()).isTrue();
    io.envoyproxy.envoy.admin.v3.HostStatus h = c.getHostStatuses(0);
    assertThat(h.getAddress().getSocketAddress().getAddress()).isEqualTo("::1");
    assertThat(h.getAddress().getSocketAddress().getPortValue()).isEqualTo(9090);
    assertThat(h.getWeight()).isEqualTo(5);
    assertThat(h.getHealthStatus().getEdsHealthStatus())
        .isEqualTo(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY);
    assertThat(h.getStatsList()).anyMatch(m -> m.getName().equals("rq_total") && m.getValue() == 2
        && m.getType() == io.envoyproxy.envoy.admin.v3.SimpleMetric.Type.COUNTER);
    assertThat(r.body()).contains("\"host_statuses\"");
  }

  @Test
  void quitquitquitPostAnswersOkThenQuits() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/quitquitquit"))
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("OK\n");
    assertThat(admin.quit.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void quitquitquitGetIsRefusedWith405AndDoesNotQuit() throws Exception {
    HttpResponse<String> r = get("/quitquitquit");

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.body()).isEqualTo("Method GET not allowed, POST required.\n");
    // the answer is written before quit would run, and on the same loop: a later request proves order
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    assertThat(admin.quit.getCount()).isEqualTo(1);
  }

  @Test
  void indexListsEndpoints() throws Exception {
    HttpResponse<String> r = get("/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("admin commands are:\n")
        .contains("/ready", "/stats/prometheus", "/config_dump", "/clusters", "/quitquitquit");
  }

  @Test
  void unknownPathIs404WithEndpointList() throws Exception {
    HttpResponse<String> r = get("/no_such_thing");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).startsWith("invalid path. admin commands are:");
  }

  @Test
  void serverInfoIs404WhenRuntimeOffersNone() throws Exception {
    assertThat(get("/server_info").statusCode()).isEqualTo(404);
  }

  @Test
  void keepAliveConnectionServesSeveralRequests() throws Exception {
    admin.ready = true;
    for (int i = 0; i < 3; i++) {
      assertThat(get("/ready").body()).isEqualTo("LIVE\n");
    }
  }

  @Test
  void quitMayCloseTheServerFromTheAdminLoop() throws Exception {
    admin.onQuit = server::close;

    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/quitquitquit"))
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(r.body()).isEqualTo("OK\n");
    assertThat(admin.quit.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> get("/ready")).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void servesOnNioGroup() throws Exception {
    EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (AdminServer other = AdminServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), nio, admin)) {
      admin.ready = true;
      HttpResponse<String> r = h.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + other.localAddress().getPort() + "/ready")).GET());
      assertThat(r.body()).isEqualTo("LIVE\n");
    } finally {
      nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
