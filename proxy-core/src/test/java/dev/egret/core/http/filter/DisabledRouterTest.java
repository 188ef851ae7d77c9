package dev.egret.core.http.filter;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.testing.EgretHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code disabled: true} is for filters routes may enable; the router cannot be switched off. */
class DisabledRouterTest {
  @Test
  void aDisabledRouterIsAConfigErrorAtItsPath() {
    String config = """
        static_resources:
          listeners:
          - name: l
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: l
                  route_config: { virtual_hosts: [{ name: v, domains: ["*"], routes: [] }] }
                  http_filters:
                  - name: envoy.filters.http.router
                    disabled: true
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        """;
    assertThatThrownBy(() -> new EgretHarness(config, Map.of()).close())
        .hasMessageContaining("http_filters[0].disabled")
        .hasMessageContaining("the router filter cannot be disabled");
  }
}
