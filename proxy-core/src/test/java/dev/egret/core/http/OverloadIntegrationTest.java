package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigException;
import dev.egret.core.EgretServer;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.H2cClient;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connection limits (per listener from the runtime key, global from the overload manager's
 * connection monitor) and the overload manager's heap-driven actions, against a running Egret.
 */
class OverloadIntegrationTest {
  static final String LISTENER = """
      static_resources:
        listeners:
        - name: web
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: web
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n"
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/" }
                      direct_response: { status: 200, body: { inline_string: "ok" } }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      """;

  static String heapAction(String action, String trigger) {
    return LISTENER + """
        overload_manager:
          refresh_interval: 0.05s
          resource_monitors:
          - name: envoy.resource_monitors.fixed_heap
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig
              max_heap_size_bytes: ${MAX_HEAP}
          actions:
          - name: %s
            triggers:
            - name: envoy.resource_monitors.fixed_heap
              %s
        """.formatted(action, trigger);
  }

  @Test
  void heapOverThresholdRejectsNewRequestsWith503AndCountsThem() throws Exception {
    // a 1 MiB heap budget: any JVM is far above it, so the action is saturated
    try (EgretHarness egret = new EgretHarness(heapAction("envoy.overload_actions.stop_accepting_requests",
        "threshold: { value: 0.95 }"), Map.of("MAX_HEAP", 1 << 20))) {
      HttpResponse<String> r = egret.get("web", "a.test", "/");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("envoy overloaded");
      assertThat(egret.awaitLogLineStartingWith("503")).isEqualTo("503 OM overload");
      assertThat(stat(egret, "envoy_http_downstream_rq_overload_close{envoy_http_conn_manager_prefix=\"web\"}"))
          .isEqualTo(1);
      assertThat(stat(egret, "envoy_overload_envoy_overload_actions_stop_accepting_requests_active")).isEqualTo(1);

      try (H2cClient h2 = new H2cClient(egret.port("web"))) {
        assertThat(h2.get("a.test", "/").status()).isEqualTo(503);
      }
    }
  }

  @Test
  void heapUnderThresholdServesRequests() throws Exception {
    // a budget of 1 TiB: pressure stays near 0
    try (EgretHarness egret = new EgretHarness(heapAction("envoy.overload_actions.stop_accepting_requests",
        "threshold: { value: 0.95 }"), Map.of("MAX_HEAP", 1L << 40))) {
      assertThat(egret.get("web", "a.test", "/").statusCode()).isEqualTo(200);
      assertThat(stat(egret, "envoy_overload_envoy_overload_actions_stop_accepting_requests_active")).isZero();
    }
  }

  @Test
  void disableKeepaliveClosesHttp1ConnectionsAfterTheResponse() throws Exception {
    try (EgretHarness egret = new EgretHarness(heapAction("envoy.overload_actions.disable_http_keepalive",
        "scaled: { scaling_threshold: 0.5, saturation_threshold: 0.9 }"), Map.of("MAX_HEAP", 1 << 20));
        Socket s = RawHttp.connect(egret.port("web"))) {
      RawHttp.write(s, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
      RawHttp.Message m = RawHttp.readResponse(s.getInputStream(), false);
      assertThat(m.status()).isEqualTo(200);
      assertThat(m.header("connection")).isEqualTo("close");
      assertThat(RawHttp.closedByPeer(s)).isTrue();
      assertThat(stat(egret,
          "envoy_http_downstream_cx_overload_disable_keepalive{envoy_http_conn_manager_prefix=\"web\"}")).isEqualTo(1);
    }
  }

  @Test
  void disableKeepaliveSendsHttp2ConnectionsOneGoAwayAndServesTheStream() throws Exception {
    try (EgretHarness egret = new EgretHarness(heapAction("envoy.overload_actions.disable_http_keepalive",
        "threshold: { value: 0.9 }"), Map.of("MAX_HEAP", 1 << 20));
        dev.egret.core.testing.RawH2Client h2 = new dev.egret.core.testing.RawH2Client(egret.port("web"))) {
      h2.preface();
      h2.send(f -> f.headers(1, dev.egret.core.testing.RawH2Client.get("a.test", "/"), true));
      dev.egret.core.testing.RawH2Client.GoAway g = h2.awaitGoAway(java.time.Duration.ofSeconds(5));
      assertThat(g.errorCode()).isZero();
      assertThat(g.lastStreamId()).isEqualTo(1);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (h2.status(1) == null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(h2.status(1)).isEqualTo(200);
    }
  }

  @Test
  void rejectIncomingConnectionsClosesThemAtAccept() throws Exception {
    try (EgretHarness egret = new EgretHarness(heapAction("envoy.overload_actions.reject_incoming_connections",
        "threshold: { value: 0.9 }"), Map.of("MAX_HEAP", 1 << 20));
        Socket s = RawHttp.connect(egret.port("web"))) {
      assertThat(RawHttp.closedByPeer(s)).isTrue();
      assertThat(stat(egret, "envoy_listener_downstream_cx_overload_reject{envoy_listener_address=\"127.0.0.1_0\"}"))
          .isEqualTo(1);
    }
  }

  @Test
  void listenerConnectionLimitClosesExcessConnectionsAndCountsOverflow() throws Exception {
    String yaml = LISTENER + """
        layered_runtime:
          layers:
          - name: static
            static_layer:
              envoy.resource_limits.listener.web.connection_limit: 2
        """;
    try (EgretHarness egret = new EgretHarness(yaml, Map.of())) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket s = RawHttp.connect(egret.port("web"));
          held.add(s);
          RawHttp.write(s, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
          assertThat(RawHttp.readResponse(s.getInputStream(), false).status()).isEqualTo(200);
        }
        try (Socket third = RawHttp.connect(egret.port("web"))) {
          assertThat(RawHttp.closedByPeer(third)).as("third connection closed at accept").isTrue();
        }
        String address = "127.0.0.1_0"; // the configured address names the listener's stats
        assertThat(stat(egret, "envoy_listener_downstream_cx_overflow{envoy_listener_address=\"" + address + "\"}"))
            .isEqualTo(1);
        held.remove(0).close();
        awaitServed(egret); // a slot is free again once Egret has seen the close
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void globalConnectionLimitFromTheOverloadManagerMonitor() throws Exception {
    String yaml = LISTENER + """
        overload_manager:
          resource_monitors:
          - name: envoy.resource_monitors.global_downstream_max_connections
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig
              max_active_downstream_connections: 1
        """;
    try (EgretHarness egret = new EgretHarness(yaml, Map.of());
        Socket first = RawHttp.connect(egret.port("web"))) {
      RawHttp.write(first, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
      assertThat(RawHttp.readResponse(first.getInputStream(), false).status()).isEqualTo(200);
      try (Socket second = RawHttp.connect(egret.port("web"))) {
        assertThat(RawHttp.closedByPeer(second)).isTrue();
      }
      assertThat(stat(egret, "envoy_listener_downstream_global_cx_overflow{envoy_listener_address=\"127.0.0.1_0\"}"))
          .isEqualTo(1);
    }
  }

  @Test
  void unsupportedOverloadAndRuntimeSettingsAreErrorsWithTheirPaths() {
    String yaml = LISTENER.replace("${ACCESS_LOG}", "/dev/null") + """
        layered_runtime:
          layers:
          - name: static
            static_layer:
              envoy.resource_limits.listener.nope.connection_limit: 5
              some.other.key: 1
              envoy.reloadable_features.anything: true
        overload_manager:
          resource_monitors:
          - name: envoy.resource_monitors.cpu_utilization
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.resource_monitors.cpu_utilization.v3.CpuUtilizationConfig
          actions:
          - name: envoy.overload_actions.shrink_heap
            triggers: [{ name: envoy.resource_monitors.cpu_utilization, threshold: { value: 0.9 } }]
        """;
    assertThatThrownBy(() -> EgretServer.compileOnly(parse(yaml)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("layered_runtime.layers.static_layer.envoy.resource_limits.listener.nope.connection_limit")
        .hasMessageContaining("no listener named 'nope'")
        .hasMessageContaining("runtime key 'some.other.key' is not supported")
        .hasMessageContaining("overload_manager.resource_monitors[0]")
        .hasMessageContaining("overload_manager.actions[0].name")
        .hasMessageNotContaining("reloadable_features");
  }

  private static Bootstrap parse(String yaml) throws Exception {
    return BootstrapLoader.parse(yaml, "test", Bootstrap.newBuilder()).build();
  }

  private static void awaitServed(EgretHarness egret) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try (Socket s = RawHttp.connect(egret.port("web"))) {
        RawHttp.write(s, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        if (RawHttp.readResponse(s.getInputStream(), false).status() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  private static long stat(EgretHarness egret, String nameAndTags) throws Exception {
    String prom = egret.admin("/stats/prometheus").body();
    for (String line : prom.split("\n")) {
      if (line.startsWith(nameAndTags + " ")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no stat " + nameAndTags + " in\n" + prom);
  }
}
