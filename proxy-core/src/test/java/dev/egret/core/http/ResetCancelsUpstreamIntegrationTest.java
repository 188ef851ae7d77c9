package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RawH2Client;
import io.netty.handler.codec.http2.Http2Error;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A downstream stream that is reset takes its upstream work with it (hardening.md §3: "every stream
 * reset cancels its connect attempt"): an upstream request in flight is reset (its HTTP/1 connection
 * closed), and a request still waiting for a pooled connection never reaches the upstream.
 */
class ResetCancelsUpstreamIntegrationTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: h2
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: h2
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\\n"
                route_config:
                  virtual_hosts:
                  - name: storm
                    domains: ["storm.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: unlimited } }]
                  - name: all
                    domains: ["*"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: one_connection } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: one_connection
          type: STATIC
          circuit_breakers: { thresholds: [{ max_connections: 1, max_pending_requests: 10 }] }
          load_assignment:
            cluster_name: one_connection
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
        - name: unlimited
          type: STATIC
          load_assignment:
            cluster_name: unlimited
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """;

  private ScriptedUpstream upstream;
  private EgretHarness egret;
  private RawH2Client client;

  @BeforeEach
  void start() throws Exception {
    upstream = new ScriptedUpstream();
    egret = new EgretHarness(CONFIG, Map.of("UP", upstream.port()));
    client = new RawH2Client(egret.port("h2"));
    client.preface();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    egret.close();
    upstream.close();
  }

  @Test
  void resetStreamResetsItsUpstreamRequestInFlight() throws Exception {
    client.send(f -> f.headers(1, RawH2Client.get("up.test", "/slow"), true));
    try (Socket up = upstream.take()) {
      assertThat(RawHttp.readRequest(up.getInputStream()).startLine()).startsWith("GET /slow ");
      client.send(f -> f.rst(1, Http2Error.CANCEL.code()));
      assertThat(RawHttp.closedByPeer(up)).as("upstream connection closed by Egret").isTrue();
    }
    assertThat(egret.awaitLogLineStartingWith("/slow")).isEqualTo("/slow 0 DR");
    assertThat(egret.admin("/stats/prometheus").body())
        .contains("envoy_http_downstream_rq_rx_reset{envoy_http_conn_manager_prefix=\"h2\"} 1");
  }

  @Test
  void resetStreamWaitingForAPooledConnectionNeverReachesTheUpstream() throws Exception {
    client.send(f -> f.headers(1, RawH2Client.get("up.test", "/one"), true));
    try (Socket up = upstream.take()) {
      assertThat(RawHttp.readRequest(up.getInputStream()).startLine()).startsWith("GET /one ");
      // the only connection is busy: /three waits in the pool, then its stream is reset
      client.send(f -> f.headers(3, RawH2Client.get("up.test", "/three"), true));
      awaitStat("envoy_cluster_upstream_rq_pending_total{envoy_cluster_name=\"one_connection\"} 2");
      client.send(f -> f.rst(3, Http2Error.CANCEL.code()));
      assertThat(egret.awaitLogLineStartingWith("/three")).isEqualTo("/three 0 DR");
      client.send(f -> f.headers(5, RawH2Client.get("up.test", "/five"), true));

      RawHttp.write(up, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      // the freed connection carries the next live request: /five, never the cancelled /three
      assertThat(RawHttp.readRequest(up.getInputStream()).startLine()).startsWith("GET /five ");
      RawHttp.write(up, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    }
    awaitTrue(() -> client.status(5) != null);
    assertThat(client.status(1)).isEqualTo(200);
    assertThat(client.status(5)).isEqualTo(200);
    assertThat(client.status(3)).isNull();
  }

  @Test
  void http1ClientLeavingMidRequestClosesItsUpstreamConnection() throws Exception {
    try (Socket downstream = RawHttp.connect(egret.port("h2"))) {
      RawHttp.write(downstream, "GET /h1 HTTP/1.1\r\nHost: up.test\r\n\r\n");
      try (Socket up = upstream.take()) {
        assertThat(RawHttp.readRequest(up.getInputStream()).startLine()).startsWith("GET /h1 ");
        downstream.close();
        assertThat(RawHttp.closedByPeer(up)).as("upstream connection closed by Egret").isTrue();
      }
    }
    assertThat(egret.awaitLogLineStartingWith("/h1")).isEqualTo("/h1 0 DC");
  }

  @Test
  void rapidResetStormDialsNoMoreUpstreamConnectionsThanTheStreamLimit() throws Exception {
    for (int batch = 0; batch < 3 && !client.goAwayReceived(); batch++) {
      int first = 1 + batch * 200;
      client.send(f -> {
        for (int id = first; id < first + 200; id += 2) {
          f.headers(id, RawH2Client.get("storm.test", "/r" + id), true);
          f.rst(id, Http2Error.CANCEL.code());
        }
      });
    }
    assertThat(client.awaitGoAway(Duration.ofSeconds(10)).errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
    String prom = egret.admin("/stats/prometheus").body();
    long dials = prom.lines().filter(l -> l.startsWith("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"unlimited\"}"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(dials).as("upstream connections dialled for 200+ reset streams").isBetween(0L, 100L);
  }

  private void awaitStat(String line) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!egret.admin("/stats/prometheus").body().contains(line)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no stat line " + line);
      }
      Thread.sleep(10);
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(5);
    }
  }
}
