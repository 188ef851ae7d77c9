package dev.egret.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import org.junit.jupiter.api.Test;

/** Bad network filter chains and tcp_proxy configurations are rejected with their field paths. */
class TcpProxyConfigErrorsTest {
  static final String TCP = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";

  static String config(String filters) {
    return "static_resources:\n"
        + "  listeners:\n"
        + "  - name: l4\n"
        + "    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
        + "    filter_chains:\n"
        + "    - filters:\n"
        + filters
        + "  clusters:\n"
        + "  - name: c\n"
        + "    type: STATIC\n"
        + "    load_assignment: { cluster_name: c, endpoints: [{ lb_endpoints: [{ endpoint: { address: "
        + "{ socket_address: { address: 127.0.0.1, port_value: 9 } } } }] }] }\n";
  }

  static String tcp(String fields) {
    return "      - name: envoy.filters.network.tcp_proxy\n"
        + "        typed_config: { \"@type\": \"" + TCP + "\", " + fields + " }\n";
  }

  static String compileError(String yaml) throws Exception {
    Bootstrap b = BootstrapLoader.parse(yaml, "test", Bootstrap.newBuilder()).build();
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> EgretServer.compileOnly(b));
    assertThat(t).isInstanceOf(ConfigException.class);
    return t.getMessage();
  }

  @Test
  void validTcpProxyCompiles() throws Exception {
    Bootstrap b = BootstrapLoader.parse(config(tcp("stat_prefix: s, cluster: c, idle_timeout: 0s, "
        + "max_connect_attempts: 2, access_log_options: { access_log_flush_interval: 1s, "
        + "flush_access_log_on_connected: true }")), "test", Bootstrap.newBuilder()).build();
    assertThat(EgretServer.compileOnly(b).listeners()).isEqualTo(1);
  }

  @Test
  void unknownNetworkFilterIsRejectedWithItsTypeUrl() throws Exception {
    String msg = compileError(config("      - name: envoy.filters.network.redis_proxy\n"
        + "        typed_config: { \"@type\": type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy, stat_prefix: r }\n"
        + tcp("stat_prefix: s, cluster: c")));
    assertThat(msg).contains("listeners[0].filter_chains[0].filters[0]")
        .contains("type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy")
        .contains("not supported");
  }

  @Test
  void tcpProxyMustBeLast() throws Exception {
    String msg = compileError(config(tcp("stat_prefix: s, cluster: c")
        + "      - name: test.set\n"
        + "        typed_config: { \"@type\": type.googleapis.com/google.protobuf.StringValue, value: \"set:a=b\" }\n"));
    assertThat(msg).contains("filters[0]").contains("tcp_proxy must be the last network filter of its chain")
        .contains("filters[1]").contains("the last network filter of a chain must be http_connection_manager or tcp_proxy");
  }

  @Test
  void tcpProxyWithoutClusterIsRejected() throws Exception {
    assertThat(compileError(config(tcp("stat_prefix: s"))))
        .contains("filters[0].typed_config").contains("tcp_proxy needs cluster or weighted_clusters");
    assertThat(compileError(config(tcp("cluster: c"))))
        .contains("filters[0].typed_config.stat_prefix").contains("stat_prefix is required");
  }

  @Test
  void tunnelingConfigWithoutATunnelProviderOrWithPostIsRejectedPrecisely() throws Exception {
    // proxy-core alone has no TunnelProvider (the hbone module brings one; see ConnectOriginateEndToEndTest)
    assertThat(compileError(config(tcp("stat_prefix: s, cluster: c, tunneling_config: "
        + "{ hostname: \"%REQUESTED_SERVER_NAME%:443\", use_post: true }"))))
        .contains("filters[0].typed_config.tunneling_config")
        .contains("tunneling_config needs a tunnel provider on the class path")
        .contains("filters[0].typed_config.tunneling_config.use_post");
  }

  @Test
  void unsupportedTcpProxyFieldsAndBadValuesAreRejected() throws Exception {
    String msg = compileError(config(tcp("stat_prefix: s, weighted_clusters: { clusters: [{ name: c, weight: 0 }, "
        + "{ name: \"\", weight: 1 }] }, max_connect_attempts: 0, upstream_idle_timeout: 1s, "
        + "access_log_options: { access_log_flush_interval: 0s }")));
    assertThat(msg).contains("typed_config.weighted_clusters.clusters[0].weight")
        .contains("typed_config.weighted_clusters.clusters[1].name")
        .contains("typed_config.max_connect_attempts")
        .contains("typed_config.upstream_idle_timeout")
        .contains("typed_config.access_log_options.access_log_flush_interval");
  }

  @Test
  void chainWithoutFiltersNeedsATerminalFilter() {
    assertThatThrownBy(() -> EgretServer.compileOnly(BootstrapLoader.parse(config("      []\n").replace(
        "    - filters:\n      []\n", "    - filters: []\n"), "test", Bootstrap.newBuilder()).build()))
        .hasMessageContaining("filter_chains[0].filters")
        .hasMessageContaining("a filter chain needs a terminal network filter");
  }
}
