package dev.egret.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import org.junit.jupiter.api.Test;

class PlainStatsTest {

  private static String name(String meter, String... tags) {
    return PlainStats.envoyName(new Meter.Id(meter, Tags.of(tags), null, null, Meter.Type.GAUGE));
  }

  @Test
  void clusterTagGoesAfterClusterScope() {
    assertThat(name("envoy.cluster.upstream_rq_total", "envoy_cluster_name", "web"))
        .isEqualTo("cluster.web.upstream_rq_total");
  }

  @Test
  void responseCodeClassBecomesNxxSuffix() {
    assertThat(name("envoy.http.downstream_rq_xx",
        "envoy_http_conn_manager_prefix", "ingress_http", "envoy_response_code_class", "2"))
        .isEqualTo("http.ingress_http.downstream_rq_2xx");
    assertThat(name("envoy.cluster.upstream_rq_xx",
        "envoy_cluster_name", "out.bound|80||a.b", "envoy_response_code_class", "5"))
        .isEqualTo("cluster.out.bound|80||a.b.upstream_rq_5xx");
  }

  @Test
  void listenerAddressGoesAfterListenerScope() {
    assertThat(name("envoy.listener.downstream_cx_total", "envoy_listener_address", "127.0.0.1_8080"))
        .isEqualTo("listener.127.0.0.1_8080.downstream_cx_total");
  }

  @Test
  void untaggedServerStatLosesOnlyEnvoyPrefix() {
    assertThat(name("envoy.access_log.dropped")).isEqualTo("access_log.dropped");
  }

  @Test
  void unknownTagGoesAfterFirstSegment() {
    assertThat(name("envoy.http.rbac.allowed", "envoy_http_conn_manager_prefix", "in",
        "envoy_rbac_prefix", "shadow_"))
        .isEqualTo("http.shadow_.in.rbac.allowed");
  }

  @Test
  void integralValuesPrintAsIntegers() {
    assertThat(PlainStats.number(3.0)).isEqualTo("3");
    assertThat(PlainStats.number(0.5)).isEqualTo("0.5");
  }
}
