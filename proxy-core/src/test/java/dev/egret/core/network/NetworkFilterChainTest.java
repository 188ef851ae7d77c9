package dev.egret.core.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network filters before the terminal filter: run in order, see each other's connection filter state,
 * can stop and continue later (bytes sent meanwhile are not lost), and can close the connection.
 */
class NetworkFilterChainTest {
  static EgretHarness egret;

  static String chain(String name, String... commands) {
    StringBuilder y = new StringBuilder();
    y.append("  - name: ").append(name).append('\n')
        .append("    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n")
        .append("    filter_chains:\n")
        .append("    - filters:\n");
    for (String c : commands) {
      y.append("      - name: test.").append(c, 0, c.indexOf(':')).append('\n')
          .append("        typed_config: { \"@type\": type.googleapis.com/google.protobuf.StringValue, value: \"")
          .append(c).append("\" }\n");
    }
    y.append("      - name: envoy.filters.network.http_connection_manager\n")
        .append("        typed_config:\n")
        .append("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n")
        .append("          stat_prefix: ").append(name).append('\n')
        .append("          route_config:\n")
        .append("            virtual_hosts:\n")
        .append("            - name: all\n")
        .append("              domains: [\"*\"]\n")
        .append("              routes: [{ match: { prefix: \"/\" }, direct_response: { status: 200, body: { inline_string: \"ok\" } } }]\n")
        .append("          http_filters:\n")
        .append("          - name: envoy.filters.http.router\n")
        .append("            typed_config: { \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }\n");
    return y.toString();
  }

  @BeforeAll
  static void start() throws Exception {
    String yaml = "static_resources:\n  listeners:\n"
        + chain("ordered", "set:who=me", "async:50", "require:who")
        + chain("missing", "require:who", "set:who=me")
        + chain("denied", "deny:test_denied");
    egret = new EgretHarness(yaml, Map.of());
  }

  @AfterAll
  static void stop() throws IOException {
    if (egret != null) {
      egret.close();
    }
  }

  static String exchange(int port, String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        s.getInputStream().transferTo(out);
      } catch (SocketException reset) {
        // closed with a reset: what was read stays
      }
      return out.toString(StandardCharsets.US_ASCII);
    }
  }

  @Test
  void filtersRunInOrderAndAsyncStopHoldsBytesForTheConnectionManager() throws Exception {
    // the request is sent at once, while the async filter holds the connection
    String response = exchange(egret.port("ordered"), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200").endsWith("ok");
  }

  @Test
  void filterThatFindsNoStateClosesBeforeLaterFiltersAndTheConnectionManager() throws Exception {
    assertThat(exchange(egret.port("missing"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).isEmpty();
  }

  @Test
  void denyingFilterClosesTheConnection() throws Exception {
    assertThat(exchange(egret.port("denied"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).isEmpty();
  }
}
