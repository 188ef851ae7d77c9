package dev.egret.xds;

import static dev.egret.xds.Fixtures.assignment;
import static dev.egret.xds.Fixtures.edsCluster;
import static dev.egret.xds.Fixtures.listener;
import static dev.egret.xds.Fixtures.routes;
import static dev.egret.xds.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigException;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.TestPki;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Egret reaches its control plane over mutual TLS, as a waypoint reaches istiod on 15012. */
class ControlPlaneTlsTest {
  @TempDir
  Path dir;

  @Test
  void subscribesOverMutualTlsVerifyingTheServerNameFromSni() throws Exception {
    TestPki.Ca ca = TestPki.newCa("mesh-root");
    TestPki.PemFiles server = ca.issue("istiod", List.of("istiod.istio-system.svc"), List.of(), List.of())
        .writePem(Files.createDirectories(dir.resolve("server")));
    TestPki.PemFiles client = ca.issue("waypoint", List.of(),
        List.of("spiffe://cluster.local/ns/default/sa/waypoint"), List.of()).writePem(Files.createDirectories(dir.resolve("client")));
    Path caPem = ca.writePem(dir);
    var serverSsl = GrpcSslContexts.forServer(server.certChain().toFile(), server.key().toFile())
        .trustManager(caPem.toFile()).clientAuth(ClientAuth.REQUIRE).build();
    try (DemoUpstream a = DemoUpstream.http1("upstream-a"); ControlPlane cp = new ControlPlane().startOn(0, serverSsl)) {
      cp.push(snapshot("1", List.of(edsCluster("a")), List.of(assignment("a", List.of(a.port()))),
          List.of(listener("l", 0, "in", "r")), List.of(routes("r", "a"))));
      String tls = ("sni: istiod.istio-system.svc, common_tls_context: { validation_context: { trusted_ca: { filename: %s } },"
          + " tls_certificates: [ { certificate_chain: { filename: %s }, private_key: { filename: %s } } ] }")
          .formatted(caPem, client.certChain(), client.key());
      Bootstrap b = BootstrapLoader.parse(Fixtures.bootstrap(cp.port(), true, tls), "test", Bootstrap.newBuilder()).build();
      try (EgretServer egret = EgretServer.start(b, 1)) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String body = "";
        while (!body.contains("upstream-a") && System.nanoTime() < deadline) {
          try {
            body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + egret.listenerAddress("l").getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString()).body();
          } catch (IllegalArgumentException notYet) {
            Thread.sleep(10);
          }
        }
        assertThat(body).contains("upstream-a");
        assertThat(cp.deltaRequests).isNotEmpty();
      }
    }
  }

  @Test
  void unsupportedTlsSettingsOfTheXdsClusterAreRejectedByPath() throws Exception {
    Path caPem = TestPki.newCa("mesh-root").writePem(dir);
    String tls = "common_tls_context: { validation_context: { trusted_ca: { filename: " + caPem + " },"
        + " match_typed_subject_alt_names: [ { san_type: DNS, matcher: { exact: istiod } } ] } }";
    Bootstrap b = BootstrapLoader.parse(Fixtures.bootstrap(1, true, tls), "test", Bootstrap.newBuilder()).build();
    assertThatThrownBy(() -> EgretServer.start(b, 1)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.getMessage()).contains("static_resources.clusters[0].transport_socket.typed_config"
            + ".common_tls_context.validation_context.match_typed_subject_alt_names [xds-grpc]"));
  }
}
