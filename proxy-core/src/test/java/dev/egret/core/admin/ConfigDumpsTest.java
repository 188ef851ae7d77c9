package dev.egret.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConfigDumpsTest {
  private static final Instant LOADED = Instant.parse("2026-01-02T03:04:05.600Z");

  @Test
  void staticBootstrapDumpsInEnvoyOrderWithLastUpdated() throws Exception {
    Bootstrap bootstrap = TestBootstraps.small();

    ConfigDump dump = ConfigDumps.fromStatic(bootstrap, LOADED);

    assertThat(dump.getConfigsList()).extracting(Any::getTypeUrl).containsExactly(
        "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
        "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
        "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
        "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
        "type.googleapis.com/envoy.admin.v3.SecretsConfigDump");
    BootstrapConfigDump boot = dump.getConfigs(0).unpack(BootstrapConfigDump.class);
    assertThat(boot.getBootstrap()).isEqualTo(bootstrap);
    assertThat(boot.getLastUpdated().getSeconds()).isEqualTo(LOADED.getEpochSecond());
    assertThat(boot.getLastUpdated().getNanos()).isEqualTo(600_000_000);

    ClustersConfigDump clusters = dump.getConfigs(1).unpack(ClustersConfigDump.class);
    assertThat(clusters.getStaticClustersList()).hasSize(1);
    assertThat(clusters.getStaticClusters(0).getCluster().unpack(
        io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getName()).isEqualTo("web");

    ListenersConfigDump listeners = dump.getConfigs(2).unpack(ListenersConfigDump.class);
    assertThat(listeners.getStaticListeners(0).getListener().unpack(Listener.class))
        .isEqualTo(bootstrap.getStaticResources().getListeners(0));
    assertThat(listeners.getStaticListeners(0).getLastUpdated()).isEqualTo(boot.getLastUpdated());
  }

  @Test
  void inlineRouteConfigOfHttpConnectionManagerIsAStaticRouteConfig() throws Exception {
    ConfigDump dump = ConfigDumps.fromStatic(TestBootstraps.small(), LOADED);

    RoutesConfigDump routes = dump.getConfigs(3).unpack(RoutesConfigDump.class);
    assertThat(routes.getStaticRouteConfigsList()).hasSize(1);
    RouteConfiguration rc = routes.getStaticRouteConfigs(0).getRouteConfig().unpack(RouteConfiguration.class);
    assertThat(rc.getName()).isEqualTo("local_route");
    assertThat(rc.getVirtualHosts(0).getRoutes(0).getRoute().getCluster()).isEqualTo("web");
  }

  @Test
  void staticSecretsAreListedByName() throws Exception {
    ConfigDump dump = ConfigDumps.fromStatic(TestBootstraps.small(), LOADED);

    SecretsConfigDump secrets = dump.getConfigs(4).unpack(SecretsConfigDump.class);
    assertThat(secrets.getStaticSecretsList()).extracting(SecretsConfigDump.StaticSecret::getName)
        .containsExactly("server_cert");
  }
}
