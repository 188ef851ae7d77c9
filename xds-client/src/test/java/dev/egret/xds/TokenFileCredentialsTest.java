package dev.egret.xds;

import static dev.egret.xds.Fixtures.listener;
import static dev.egret.xds.Fixtures.routes;
import static dev.egret.xds.Fixtures.snapshot;
import static dev.egret.xds.Fixtures.staticCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.grpc.Metadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@code google_grpc.call_credentials} with Envoy's {@code file_based_metadata} plugin: every call to
 * the control plane carries the token from the file (a projected service-account token), and a token
 * rotated in the file is what the next call (after a reconnect) carries.
 */
class TokenFileCredentialsTest {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  static String bootstrap(int port, Path token) {
    return """
        node: { id: "waypoint~127.0.0.1~egret-test.default~default.svc.cluster.local", cluster: egret-test }
        dynamic_resources:
          ads_config:
            api_type: DELTA_GRPC
            transport_api_version: V3
            grpc_services:
            - google_grpc:
                target_uri: "127.0.0.1:%d"
                stat_prefix: xds
                call_credentials:
                - from_plugin:
                    name: envoy.grpc_credentials.file_based_metadata
                    typed_config:
                      "@type": type.googleapis.com/envoy.config.grpc_credential.v3.FileBasedMetadataConfig
                      secret_data: { filename: "%s" }
                      header_prefix: "Bearer "
              initial_metadata: [ { key: ClusterID, value: Kubernetes } ]
          lds_config: { ads: {}, resource_api_version: V3 }
          cds_config: { ads: {}, resource_api_version: V3 }
        """.formatted(port, token);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  static boolean sawToken(ControlPlane cp, String value) {
    return cp.callHeaders.stream().anyMatch(h -> value.equals(h.get(AUTHORIZATION)));
  }

  @Test
  void everyCallCarriesTheTokenAndARotatedTokenIsSentAfterReconnecting() throws Exception {
    Path token = Files.createTempDirectory("egret-token").resolve("istio-token");
    Files.writeString(token, "token-one\n");
    ControlPlane cp = new ControlPlane().start();
    int port = cp.port();
    Bootstrap boot = BootstrapLoader.parse(bootstrap(port, token), "test", Bootstrap.newBuilder()).build();
    try (EgretServer egret = EgretServer.start(boot, 1)) {
      cp.push(snapshot("1", List.of(staticCluster("b", 9)), List.of(), List.of(listener("l", 0, "in", "r")),
          List.of(routes("r", "b"))));
      await("a call with the first token", () -> sawToken(cp, "Bearer token-one"));
      await("the listener", () -> {
        try {
          return egret.listenerAddress("l") != null;
        } catch (IllegalArgumentException e) {
          return false;
        }
      });
      Files.writeString(token, "token-two\n"); // the kubelet rewrites the projected token in place
      Files.setLastModifiedTime(token, FileTime.from(Instant.now().plusSeconds(5)));
      cp.stop();
      ControlPlane restarted = new ControlPlane().startOn(port);
      try {
        restarted.push(snapshot("2", List.of(staticCluster("b", 9)), List.of(), List.of(listener("l", 0, "in", "r")),
            List.of(routes("r", "b"))));
        await("a call with the rotated token", () -> sawToken(restarted, "Bearer token-two"));
        assertThat(sawToken(restarted, "Bearer token-one")).isFalse();
      } finally {
        restarted.close();
      }
    } finally {
      cp.close();
    }
  }

  @Test
  void aPluginOtherThanFileBasedMetadataIsRefusedByPath() {
    String yaml = bootstrap(1, Path.of("/nonexistent")).replace("envoy.grpc_credentials.file_based_metadata",
        "envoy.grpc_credentials.aws_iam");
    assertThatThrownBy(() -> EgretServer.compileOnly(BootstrapLoader.parse(yaml, "test", Bootstrap.newBuilder()).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("google_grpc.call_credentials[0].from_plugin.name")
        .hasMessageContaining("only envoy.grpc_credentials.file_based_metadata");
  }
}
