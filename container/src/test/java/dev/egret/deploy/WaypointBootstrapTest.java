package dev.egret.deploy;

import static dev.egret.deploy.Charts.at;
import static dev.egret.deploy.Charts.only;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap the chart mounts is one Egret runs: its health listener answers the kubelet probe's
 * GET /ready from the admin server and nothing else of it, its metrics listener serves Prometheus.
 */
class WaypointBootstrapTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void chartBootstrapServesReadyAndMetricsButNotTheRestOfAdmin() throws Exception {
    Map<String, Object> configMap = only(Charts.objects(Charts.render(Map.of())), "ConfigMap");
    Map<String, String> data = at(configMap, "data");
    String yaml = data.get("bootstrap.yaml");
    assertThat(yaml).contains("port_value: 15021", "port_value: 15020", "address: 0.0.0.0");

    int admin;
    try (ServerSocket s = new ServerSocket(0)) {
      admin = s.getLocalPort();
    }
    String local = yaml.replace("address: 0.0.0.0", "address: 127.0.0.1")
        .replace("port_value: 15021", "port_value: 0").replace("port_value: 15020", "port_value: 0")
        .replace("port_value: 15000", "port_value: " + admin);
    Bootstrap bootstrap = BootstrapLoader.parse(local, "chart bootstrap", Bootstrap.newBuilder()).build();
    assertThat(EgretServer.compileOnly(bootstrap).listeners()).isEqualTo(2);

    try (EgretServer server = EgretServer.start(bootstrap, 1)) {
      int health = server.listenerAddress("health").getPort();
      int metrics = server.listenerAddress("metrics").getPort();
      assertThat(get(health, "/ready").statusCode()).isEqualTo(200);
      assertThat(get(health, "/quitquitquit").statusCode()).isEqualTo(404);
      assertThat(get(health, "/config_dump").statusCode()).isEqualTo(404);
      HttpResponse<String> stats = get(metrics, "/stats/prometheus");
      assertThat(stats.statusCode()).isEqualTo(200);
      assertThat(stats.body()).contains("envoy_http_downstream_rq_total");
      assertThat(get(metrics, "/ready").statusCode()).isEqualTo(404);
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
