package dev.egret.core.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatsPrometheusNamingTest {

  @Test
  void freshStatsScrapeKeepsEnvoyTotalSuffix() {
    Stats stats = new Stats();
    stats.cluster("web").upstreamRqTotal.inc();

    assertThat(stats.scrape()).contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"web\"} 1.0\n");
  }

  @Test
  void envoyNamingKeepsExactEnvoyNamesAndTags() {
    Stats stats = new Stats();
    for (int i = 0; i < 3; i++) {
      stats.cluster("web").upstreamRqTotal.inc();
    }
    stats.cluster("web").upstreamCxConnectFail.inc();
    stats.http("ingress_http").downstreamRqTotal.add(5);
    stats.http("ingress_http").downstreamResponse(204);
    stats.listener("127.0.0.1_8080").downstreamCxTotal.inc();
    stats.serverCounter("access_log.dropped").add(2);

    assertThat(stats.scrape())
        .contains("# TYPE envoy_cluster_upstream_rq_total gauge\n")
        .contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"web\"} 3.0\n")
        .contains("envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name=\"web\"} 1.0\n")
        .contains("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"ingress_http\"} 5.0\n")
        .contains("envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix=\"ingress_http\","
            + "envoy_response_code_class=\"2\"} 1.0\n")
        .contains("envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix=\"ingress_http\","
            + "envoy_response_code_class=\"5\"} 0.0\n")
        .contains("envoy_listener_downstream_cx_total{envoy_listener_address=\"127.0.0.1_8080\"} 1.0\n")
        .contains("envoy_access_log_dropped 2.0\n");
  }
}
