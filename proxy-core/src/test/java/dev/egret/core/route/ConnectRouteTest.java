package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.errors;
import static dev.egret.core.route.RouteFixtures.headers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigError;
import org.junit.jupiter.api.Test;

/** {@code connect_matcher} and a route's CONNECT {@code upgrade_configs}. */
class ConnectRouteTest {
  static final String ISTIO_ROUTES = "{\"name\":\"connect\",\"match\":{\"connect_matcher\":{}},\"route\":{\"cluster\":\"a\","
      + "\"upgrade_configs\":[{\"upgrade_type\":\"CONNECT\",\"connect_config\":{}}]}},"
      + "{\"name\":\"web\",\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"b\"}}";

  @Test
  void connectMatcherMatchesOnlyConnectAndPathRoutesNeverMatchConnect() {
    RouteTable t = RouteFixtures.routes(ISTIO_ROUTES);
    assertThat(t.route(null, "CONNECT", "10.0.0.1:80", "10.0.0.1:80", headers()).name()).isEqualTo("connect");
    assertThat(t.route(null, "GET", "h", "/", headers()).name()).isEqualTo("web");
    assertThat(t.route("h", "/", headers()).name()).isEqualTo("web"); // no method known: not CONNECT

    RouteTable pathOnly = RouteFixtures.routes("{\"match\":{\"prefix\":\"\"},\"route\":{\"cluster\":\"b\"}}");
    assertThat(pathOnly.route(null, "CONNECT", "10.0.0.1:80", "10.0.0.1:80", headers())).isNull();
  }

  @Test
  void upgradeConfigWithConnectConfigTerminates() {
    RouteTable t = RouteFixtures.routes(ISTIO_ROUTES);
    ConnectUpgrade u = t.route(null, "CONNECT", "x:1", "x:1", headers()).clusterAction().connectUpgrade();
    assertThat(u.terminate()).isTrue();
    assertThat(u.allowed(false)).isTrue();
    ConnectUpgrade none = t.route(null, "GET", "h", "/", headers()).clusterAction().connectUpgrade();
    assertThat(none).isEqualTo(ConnectUpgrade.INHERIT);
    assertThat(none.allowed(true)).isTrue();
    assertThat(none.allowed(false)).isFalse();
  }

  @Test
  void disabledConnectUpgradeOverridesTheConnectionManager() {
    RouteTable t = RouteFixtures.routes("{\"match\":{\"connect_matcher\":{}},\"route\":{\"cluster\":\"a\","
        + "\"upgrade_configs\":[{\"upgrade_type\":\"connect\",\"enabled\":false}]}}");
    ConnectUpgrade u = t.route(null, "CONNECT", "x:1", "x:1", headers()).clusterAction().connectUpgrade();
    assertThat(u.allowed(true)).isFalse();
    assertThat(u.terminate()).isFalse();
  }

  @Test
  void websocketUpgradeAndConnectConfigOptionsAreRejectedWithPaths() {
    assertThat(errors("{\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},"
        + "\"route\":{\"cluster\":\"a\",\"upgrade_configs\":[{\"upgrade_type\":\"websocket\"},"
        + "{\"upgrade_type\":\"CONNECT\",\"connect_config\":{\"allow_post\":true}}]}}]}]}"))
        .extracting(ConfigError::path).containsExactlyInAnyOrder(
            "virtual_hosts[0].routes[0].route.upgrade_configs[0].upgrade_type",
            "virtual_hosts[0].routes[0].route.upgrade_configs[1].connect_config.allow_post");
  }
}
