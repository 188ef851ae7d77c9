package dev.egret.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import org.junit.jupiter.api.Test;

class BootstrapLoaderTest {
  private static Bootstrap parse(String yaml) throws ConfigException {
    return BootstrapLoader.parse(yaml, "test.yaml", Bootstrap.newBuilder()).build();
  }

  @Test
  void readsYamlWithTypedConfig() throws Exception {
    Bootstrap b = parse("""
        static_resources:
          listeners:
          - name: l
            address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
            filter_chains:
            - filters:
              - name: hcm
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress
        """);
    HttpConnectionManager hcm = b.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0)
        .getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getStatPrefix()).isEqualTo("ingress");
  }

  @Test
  void readsJsonWithCamelCaseNames() throws Exception {
    Bootstrap b = parse("{\"staticResources\": {\"clusters\": [{\"name\": \"c\", \"connectTimeout\": \"2s\"}]}}");
    assertThat(b.getStaticResources().getClusters(0).getConnectTimeout().getSeconds()).isEqualTo(2);
  }

  @Test
  void unknownFieldIsReportedWithItsPath() {
    assertThatThrownBy(() -> parse("""
        static_resources:
          clusters:
          - name: c
            conect_timeout: 1s
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessage("static_resources.clusters[0].conect_timeout [c]: unknown field 'conect_timeout' in "
            + "envoy.config.cluster.v3.Cluster");
  }

  @Test
  void unknownTypeUrlIsReportedWithItsPath() {
    assertThatThrownBy(() -> parse("""
        static_resources:
          listeners:
          - name: l
            filter_chains:
            - filters:
              - name: x
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.nope.v3.Nope
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessage("static_resources.listeners[0].filter_chains[0].filters[0].typed_config.@type [l]: "
            + "unknown type URL 'type.googleapis.com/envoy.extensions.filters.network.nope.v3.Nope'");
  }

  @Test
  void unknownFieldInsideTypedConfigIsFound() {
    assertThatThrownBy(() -> parse("""
        static_resources:
          listeners:
          - name: l
            filter_chains:
            - filters:
              - name: hcm
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefx: x
        """))
        .hasMessageContaining("filters[0].typed_config.stat_prefx [l]: unknown field 'stat_prefx'");
  }

  @Test
  void malformedYamlNamesTheLine() {
    assertThatThrownBy(() -> parse("static_resources:\n  clusters: [\n  - name: c\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("test.yaml: malformed YAML at line");
  }

  @Test
  void badValueIsReported() {
    assertThatThrownBy(() -> parse("static_resources:\n  clusters:\n  - name: c\n    connect_timeout: soon\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("static_resources.clusters[0].connect_timeout [c]: invalid value: Failed to parse duration: \"soon\"");
  }

  @Test
  void everyErrorIsListedNotJustTheFirst() {
    assertThatThrownBy(() -> parse("""
        admin: { adress: x }
        static_resources:
          clusters:
          - { name: c, colour: blue }
        """))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::path)
            .containsExactly("admin.adress", "static_resources.clusters[0].colour"));
  }
}
