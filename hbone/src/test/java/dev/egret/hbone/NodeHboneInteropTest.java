package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.TestPki;
import dev.egret.hbone.testing.TcpEcho;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interop with an independent HTTP/2 stack: Node.js' http2 module as the HBONE client (mTLS,
 * TLS 1.3, ALPN h2, classic CONNECT) against Egret's HBONE server. Skipped when {@code node} is not
 * installed (CI installs the Debian {@code nodejs} package).
 */
class NodeHboneInteropTest {
  static final String PEER = "spiffe://cluster.local/ns/default/sa/node-client";
  static Path dir;
  static TestPki.Ca ca;
  static TcpEcho echo;
  static EgretHarness egret;
  static Path script;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(nodeAvailable(), "node is not installed");
    dir = Files.createTempDirectory("egret-hbone-node");
    ca = TestPki.newCa("cluster.local root");
    Path caPem = ca.writePem(dir);
    TestPki.PemFiles server = ca.issue("waypoint", List.of(), List.of(HboneServerEndToEndTest.WAYPOINT),
        List.of("127.0.0.1")).writePem(Files.createDirectories(dir.resolve("server")));
    echo = new TcpEcho();
    try (dev.egret.core.testing.RefusedPort refused = new dev.egret.core.testing.RefusedPort()) {
      egret = new EgretHarness(HboneServerEndToEndTest.CONFIG, Map.of("CERT", server.certChain(),
          "KEY", server.key(), "CA", caPem, "ECHO_PORT", echo.port(), "HTTP_PORT", echo.port(),
          "REFUSED_PORT", refused.port()));
    }
    script = dir.resolve("hbone-client.js");
    try (InputStream in = NodeHboneInteropTest.class.getResourceAsStream("/interop/hbone-client.js")) {
      Files.write(script, in.readAllBytes());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (egret != null) {
      egret.close();
      echo.close();
    }
  }

  static boolean nodeAvailable() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<String> runClient(String authority, String message) throws Exception {
    TestPki.PemFiles client = ca.issue("node", List.of(), List.of(PEER), List.of())
        .writePem(Files.createTempDirectory(dir, "client"));
    Process p = new ProcessBuilder("node", script.toString(), String.valueOf(egret.port("connect_terminate")),
        authority, client.certChain().toString(), client.key().toString(), ca.writePem(dir).toString(), message).redirectErrorStream(true).start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("node client finished").isTrue();
    return List.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
  }

  @Test
  void nodeHttp2ClientTunnelsThroughEgret() throws Exception {
    assertThat(runClient("10.0.0.9:7000", "hello from node"))
        .containsExactly("status 200", "data hello from node", "end");
    assertThat(egret.awaitLogLineStartingWith("CONNECT 10.0.0.9:7000 ")).contains(" 200 - via_upstream " + PEER);
  }

  @Test
  void nodeSeesUpstreamConnectFailureAs503() throws Exception {
    assertThat(runClient("10.0.0.99:99", "x")).first().isEqualTo("status 503");
  }
}
