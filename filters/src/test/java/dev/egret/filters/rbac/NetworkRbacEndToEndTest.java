package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The network RBAC filter in front of tcp_proxy over real sockets: allowed connections reach the
 * upstream, denied ones are closed before any upstream connection is made, logged with
 * {@code rbac_access_denied_matched_policy[…]} and counted under {@code <stat_prefix>rbac.*}.
 */
class NetworkRbacEndToEndTest {
  static Echo echoAllow;
  static Echo echoDeny;
  static Echo echoPort;
  static EgretHarness egret;

  /** A loopback echo server that counts the connections it accepted. */
  static final class Echo implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger accepted = new AtomicInteger();

    Echo() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::run, "echo-" + server.getLocalPort());
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void run() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          Thread t = new Thread(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // the client went away
            }
          });
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static String listener(String name, String cluster, String rbac) {
    return """
          - name: %s
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.rbac
                typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC", %s }
              - name: envoy.filters.network.tcp_proxy
                typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: %s, cluster: %s, access_log: [{ name: f, typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog", path: "${ACCESS_LOG}", log_format: { text_format_source: { inline_string: "%s %%CONNECTION_TERMINATION_DETAILS%% %%DYNAMIC_METADATA(envoy.filters.network.rbac:shadow_engine_result)%%\\n" } } } }] }
        """.formatted(name, rbac, name, cluster, name);
  }

  static String cluster(String name, String port) {
    return """
          - name: %s
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: %s
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %s } } } }] }]
        """.formatted(name, name, port);
  }

  @BeforeAll
  static void start() throws Exception {
    echoAllow = new Echo();
    echoDeny = new Echo();
    echoPort = new Echo();
    String yaml = "admin: { address: { socket_address: { address: 127.0.0.1, port_value: 0 } } }\n"
        + "static_resources:\n  listeners:\n"
        + listener("loopback_only", "echo_allow",
            "stat_prefix: lo., shadow_rules_stat_prefix: dry_, "
            + "rules: { policies: { loopback: { permissions: [{ any: true }], principals: [{ source_ip: { address_prefix: 127.0.0.0, prefix_len: 8 } }] } } }, "
            + "shadow_rules: { action: DENY, policies: { all: { permissions: [{ any: true }], principals: [{ any: true }] } } }")
        + listener("ten_only", "echo_deny",
            "stat_prefix: ten., rules: { policies: { ten: { permissions: [{ any: true }], principals: [{ source_ip: { address_prefix: 10.0.0.0, prefix_len: 8 } }] } } }")
        + listener("deny_high_ports", "echo_port",
            "stat_prefix: port., rules: { action: DENY, policies: { \"high ports\": { permissions: [{ destination_port_range: { start: 1024, end: 65536 } }], principals: [{ any: true }] } } }")
        + listener("header_only", "echo_port",
            "stat_prefix: hdr., rules: { policies: { get: { permissions: [{ header: { name: \":method\", string_match: { exact: GET } } }], principals: [{ any: true }] } } }")
        + "  clusters:\n"
        + cluster("echo_allow", "${ALLOW}")
        + cluster("echo_deny", "${DENY}")
        + cluster("echo_port", "${PORT}");
    egret = new EgretHarness(yaml, Map.of("ALLOW", echoAllow.port(), "DENY", echoDeny.port(), "PORT", echoPort.port()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (egret != null) {
      egret.close();
    }
    for (Echo e : new Echo[] {echoAllow, echoDeny, echoPort}) {
      if (e != null) {
        e.close();
      }
    }
  }

  Socket connect(String listener) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), egret.port(listener));
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends {@code msg} and reads the echo; -1 when the connection is closed instead. */
  static String exchange(Socket s, String msg) throws IOException {
    byte[] bytes = msg.getBytes(StandardCharsets.US_ASCII);
    try {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      byte[] got = s.getInputStream().readNBytes(bytes.length);
      return new String(got, StandardCharsets.US_ASCII);
    } catch (SocketException e) {
      return ""; // reset: closed without an answer
    }
  }

  static long stat(String name) throws Exception {
    String prom = egret.admin("/stats/prometheus").body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name) + "(?:\\{\\})? (\\S+)$")
        .matcher(prom);
    assertThat(m.find()).as(name + " in\n" + prom).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void allowedBySourceIpReachesTheUpstreamAndCountsShadowDenial() throws Exception {
    try (Socket s = connect("loopback_only")) {
      assertThat(exchange(s, "hello")).isEqualTo("hello");
    }
    assertThat(egret.awaitLogLineStartingWith("loopback_only ")).isEqualTo("loopback_only - denied");
    assertThat(stat("envoy_lo_rbac_allowed")).isGreaterThanOrEqualTo(1);
    assertThat(stat("envoy_lo_rbac_dry_shadow_denied")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void deniedBySourceIpIsClosedBeforeAnyUpstreamConnection() throws Exception {
    try (Socket s = connect("ten_only")) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(egret.awaitLogLineStartingWith("ten_only "))
        .isEqualTo("ten_only rbac_access_denied_matched_policy[none] -");
    assertThat(echoDeny.accepted.get()).isZero();
    assertThat(stat("envoy_ten_rbac_denied")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void deniedByDestinationPortNamesThePolicyWithUnderscores() throws Exception {
    try (Socket s = connect("deny_high_ports")) {
      assertThat(exchange(s, "x")).isEmpty();
    }
    assertThat(egret.awaitLogLineStartingWith("deny_high_ports "))
        .isEqualTo("deny_high_ports rbac_access_denied_matched_policy[high_ports] -");
    assertThat(stat("envoy_port_rbac_denied")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void headerPermissionsNeverMatchAtLayerFour() throws Exception {
    try (Socket s = connect("header_only")) {
      assertThat(exchange(s, "GET / HTTP/1.1\r\n\r\n")).isEmpty();
    }
    assertThat(egret.awaitLogLineStartingWith("header_only "))
        .isEqualTo("header_only rbac_access_denied_matched_policy[none] -");
    assertThat(stat("envoy_hdr_rbac_denied")).isGreaterThanOrEqualTo(1);
  }
}
