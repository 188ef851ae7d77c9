package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outlier detection end to end: a STATIC round-robin cluster of two real upstreams, one of which
 * answers 503 to everything. After its third consecutive 5xx it is ejected: traffic goes only to the
 * other host, {@code /clusters} flags it {@code /failed_outlier_check}, the stats count the ejection,
 * and its pooled connection is closed.
 */
class OutlierDetectionIntegrationTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: egress
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: egress
                route_config:
                  virtual_hosts:
                  - name: svc
                    domains: ["svc.test"]
                    routes: [{ match: { prefix: "/" }, route: { cluster: svc } }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: svc
          type: STATIC
          lb_policy: ROUND_ROBIN
          outlier_detection:
            consecutive_5xx: 3
            max_ejection_percent: 50
          load_assignment:
            cluster_name: svc
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${BAD} } } }
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${GOOD} } } }
      """;

  DemoUpstream bad;
  DemoUpstream good;
  EgretHarness egret;

  @BeforeEach
  void start() throws Exception {
    bad = DemoUpstream.http1("bad").withFixedStatus(503);
    good = DemoUpstream.http1("good");
    egret = new EgretHarness(CONFIG, Map.of("BAD", bad.port(), "GOOD", good.port()));
  }

  @AfterEach
  void stop() throws Exception {
    egret.close();
    bad.close();
    good.close();
  }

  @Test
  void threeConsecutive5xxEjectTheHostAndTrafficGoesToTheOther() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    int failures = 0;
    for (int i = 0; i < 20 && failures < 3; i++) {
      HttpResponse<String> r = egret.get("egress", "svc.test", "/hello");
      statuses.add(r.statusCode());
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("x-upstream-name")).contains("bad");
        failures++;
      }
    }
    assertThat(failures).as("503s before ejection in %s", statuses).isEqualTo(3);
    int badRequests = bad.requests().size();

    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = egret.get("egress", "svc.test", "/after/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-upstream-name")).contains("good");
    }
    assertThat(bad.requests()).hasSize(badRequests);

    String clusters = egret.admin("/clusters").body();
    String badHost = "svc::127.0.0.1:" + bad.port() + "::";
    String goodHost = "svc::127.0.0.1:" + good.port() + "::";
    assertThat(clusters).contains(badHost + "health_flags::/failed_outlier_check")
        .contains(goodHost + "health_flags::healthy");

    String stats = egret.admin("/stats/prometheus").body();
    assertThat(stats)
        .contains("envoy_cluster_outlier_detection_ejections_active{envoy_cluster_name=\"svc\"} 1")
        .contains("envoy_cluster_outlier_detection_ejections_enforced_total{envoy_cluster_name=\"svc\"} 1")
        .contains("envoy_cluster_outlier_detection_ejections_enforced_consecutive_5xx{envoy_cluster_name=\"svc\"} 1")
        .contains("envoy_cluster_outlier_detection_ejections_detected_consecutive_5xx{envoy_cluster_name=\"svc\"} 1");

    // the ejected host's pooled connection is drained: closed once its exchange ended
    long deadline = System.nanoTime() + 5_000_000_000L;
    String cx;
    do {
      cx = egret.admin("/clusters").body();
      if (cx.contains(badHost + "cx_active::0")) {
        break;
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    assertThat(cx).contains(badHost + "cx_active::0").contains(goodHost + "cx_active::1");
  }
}
