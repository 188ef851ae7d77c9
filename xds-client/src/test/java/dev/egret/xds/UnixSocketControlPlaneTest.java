package dev.egret.xds;

import static dev.egret.xds.Fixtures.assignment;
import static dev.egret.xds.Fixtures.edsCluster;
import static dev.egret.xds.Fixtures.listener;
import static dev.egret.xds.Fixtures.routes;
import static dev.egret.xds.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.demo.DemoUpstream;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane on a Unix domain socket, as pilot-agent serves xDS to a waypoint's proxy. */
class UnixSocketControlPlaneTest {
  @TempDir
  Path dir;

  @Test
  void subscribesOverAUnixDomainSocketNamedByThePipeOfTheXdsCluster() throws Exception {
    assumeTrue(Epoll.isAvailable(), "epoll (Linux) is needed for Unix domain sockets");
    String socket = dir.resolve("XDS").toString();
    try (DemoUpstream a = DemoUpstream.http1("upstream-a"); ControlPlane cp = new ControlPlane().startOnUnixSocket(socket)) {
      cp.push(snapshot("1", List.of(edsCluster("a")), List.of(assignment("a", List.of(a.port()))),
          List.of(listener("l", 0, "in", "r")), List.of(routes("r", "a"))));
      String yaml = Fixtures.bootstrap(1, true).replace(
          "address: { socket_address: { address: 127.0.0.1, port_value: 1 } }", "address: { pipe: { path: " + socket + " } }");
      Bootstrap b = BootstrapLoader.parse(yaml, "test", Bootstrap.newBuilder()).build();
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
        assertThat(cp.deltaRequests.get(0).getNode().getUserAgentName()).isEqualTo("egret");
      }
    }
  }
}
