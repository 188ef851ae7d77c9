package dev.egret.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.RefusedPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tcp_proxy end to end over real sockets: bytes both ways with half-close, flow control in both
 * directions, connect failures and circuit breakers, timeouts, weighted clusters, periodic and
 * final TCP access-log entries, and the tcp.* stats.
 */
class TcpProxyIntegrationTest {
  static final String FORMAT = "%RESPONSE_FLAGS% rx=%BYTES_RECEIVED% tx=%BYTES_SENT% "
      + "%UPSTREAM_CLUSTER% %UPSTREAM_HOST% attempts=%UPSTREAM_REQUEST_ATTEMPT_COUNT% "
      + "[%UPSTREAM_TRANSPORT_FAILURE_REASON%] %PROTOCOL% %RESPONSE_CODE% d=%DURATION%";

  static SocketUpstream echoA;
  static SocketUpstream echoB;
  static SocketUpstream halfCloser;
  static SocketUpstream holder;
  static SocketUpstream flood;
  static SocketUpstream slowReader;
  static RefusedPort refused;
  static EgretHarness egret;
  static final BlockingQueue<String> afterHalfClose = new LinkedBlockingQueue<>();
  static final AtomicLong floodWritten = new AtomicLong();
  static final CountDownLatch slowReaderGo = new CountDownLatch(1);
  static final AtomicLong slowReaderGot = new AtomicLong();
  static final int FLOOD_BYTES = 32 * 1024 * 1024;
  static final int UPLOAD_BYTES = 16 * 1024 * 1024;

  static String log(String tag) {
    return "[{ name: envoy.access_loggers.file, typed_config: { \"@type\": "
        + "\"type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\", path: \"${ACCESS_LOG}\", "
        + "log_format: { text_format_source: { inline_string: \"" + tag + " " + FORMAT + "\\n\" } } } }]";
  }

  static String listener(String name, String tcpProxyFields, String listenerExtra) {
    return listener(name, tcpProxyFields, listenerExtra, "");
  }

  /** {@code testFilter}: a {@code TestNetworkFilterProvider} command run before tcp_proxy, or empty. */
  static String listener(String name, String tcpProxyFields, String listenerExtra, String testFilter) {
    String pre = testFilter.isEmpty() ? "" : "      - name: test\n        typed_config: { \"@type\": "
        + "type.googleapis.com/google.protobuf.StringValue, value: \"" + testFilter + "\" }\n";
    return """
          - name: %s
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            %s
            filter_chains:
            - filters:
        %s      - name: envoy.filters.network.tcp_proxy
                typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", stat_prefix: %s, %s }
        """.formatted(name, listenerExtra, pre, name, tcpProxyFields);
  }

  static String cluster(String name, String port, String extra) {
    return """
          - name: %s
            type: STATIC
            connect_timeout: 2s
            %s
            load_assignment:
              cluster_name: %s
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %s } } } }] }]
        """.formatted(name, extra, name, port);
  }

  @BeforeAll
  static void start() throws Exception {
    echoA = SocketUpstream.echo();
    echoB = SocketUpstream.echo();
    halfCloser = new SocketUpstream(s -> {
      InputStream in = s.getInputStream();
      byte[] ping = in.readNBytes(4);
      s.getOutputStream().write(ping[0] == 'p' ? "pong".getBytes(StandardCharsets.US_ASCII) : ping);
      s.getOutputStream().flush();
      s.shutdownOutput();
      afterHalfClose.add(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    });
    holder = new SocketUpstream(s -> {
      InputStream in = s.getInputStream();
      int b;
      while ((b = in.read()) >= 0) {
        s.getOutputStream().write(b);
      }
    });
    flood = new SocketUpstream(s -> {
      s.setSendBufferSize(64 * 1024); // keep the kernel's share of what is in flight small
      OutputStream out = s.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < FLOOD_BYTES; sent += chunk.length) {
        for (int i = 0; i < chunk.length; i++) {
          chunk[i] = (byte) ((sent + i) % 251);
        }
        out.write(chunk);
        floodWritten.addAndGet(chunk.length);
      }
      s.shutdownOutput();
      s.getInputStream().readAllBytes();
    });
    slowReader = new SocketUpstream(s -> {
      try {
        slowReaderGo.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        slowReaderGot.addAndGet(n);
      }
    });
    refused = new RefusedPort();
    String bounded = "per_connection_buffer_limit_bytes: 65536";
    String yaml = "admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
        + "static_resources:\n  listeners:\n"
        + listener("echo", "cluster: echo_a, access_log: " + log("echo"), "")
        + listener("plainlog", "cluster: echo_a, access_log: [{ name: f, typed_config: { \"@type\": "
            + "\"type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\", path: \"${ACCESS_LOG}\" } }]", "")
        + listener("halfclose", "cluster: half_closer, access_log: " + log("halfclose"), "")
        + listener("refused", "cluster: refused, access_log: " + log("refused"), "")
        + listener("refused3", "cluster: refused, max_connect_attempts: 3, access_log: " + log("refused3"), "")
        + listener("idle", "cluster: holder, idle_timeout: 0.3s, access_log: " + log("idle"), "")
        + listener("duration", "cluster: holder, max_downstream_connection_duration: 0.3s, access_log: "
            + log("duration"), "")
        + listener("weighted", "weighted_clusters: { clusters: [{ name: echo_a, weight: 1 }, { name: echo_b, weight: 1 }] }", "")
        + listener("periodic", "cluster: holder, access_log_options: { access_log_flush_interval: 0.1s }, access_log: "
            + log("periodic"), "")
        + listener("ghost", "cluster: no_such_cluster, access_log: " + log("ghost"), "")
        + listener("overflow", "cluster: one_connection, access_log: " + log("overflow"), "")
        + listener("flood", "cluster: flood, access_log: " + log("flood"), bounded)
        + listener("upload", "cluster: slow_reader, access_log: " + log("upload"), bounded)
        + listener("onconnect", "cluster: holder, access_log_options: { flush_access_log_on_connected: true }, "
            + "access_log: " + log("onconnect"), "")
        + listener("gated", "cluster: echo_a, access_log: " + log("gated"), "", "async:50")
        + listener("denied", "cluster: echo_a, access_log: " + log("denied %CONNECTION_TERMINATION_DETAILS%"), "",
            "deny:rbac_access_denied_matched_policy[none]")
        + "  clusters:\n"
        + cluster("echo_a", "${ECHO_A}", "")
        + cluster("echo_b", "${ECHO_B}", "")
        + cluster("half_closer", "${HALF}", "")
        + cluster("refused", "${REFUSED}", "")
        + cluster("holder", "${HOLDER}", "")
        + cluster("one_connection", "${HOLDER}",
            "circuit_breakers: { thresholds: [{ max_connections: 1 }] }")
        + cluster("flood", "${FLOOD}", bounded)
        + cluster("slow_reader", "${SLOW}", bounded);
    egret = new EgretHarness(yaml, Map.of("ECHO_A", echoA.port(), "ECHO_B", echoB.port(),
        "HALF", halfCloser.port(), "REFUSED", refused.port(), "HOLDER", holder.port(),
        "FLOOD", flood.port(), "SLOW", slowReader.port()));
  }

  @AfterAll
  static void stop() throws IOException {
    slowReaderGo.countDown();
    if (egret != null) {
      egret.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {echoA, echoB, halfCloser, holder, flood, slowReader, refused}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  Socket connect(String listener) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), egret.port(listener));
    s.setSoTimeout(10_000);
    return s;
  }

  long stat(String name, String tag, String value) throws Exception {
    String prom = egret.admin("/stats/prometheus").body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + tag + "=\"" + value + "\"}") + " (\\S+)$")
        .matcher(prom);
    assertThat(m.find()).as(name + " for " + value).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  long awaitStat(String name, String tag, String value, long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long v;
    do {
      v = stat(name, tag, value);
      if (v >= atLeast) {
        return v;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return v;
  }

  /** Reads until end of stream or reset; returns the bytes read. */
  static byte[] readToEnd(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      s.getInputStream().transferTo(out);
    } catch (SocketException reset) {
      // a reset ends the stream as well
    }
    return out.toByteArray();
  }

  @Test
  void echoesBothWaysAndPropagatesDownstreamHalfClose() throws Exception {
    try (Socket s = connect("echo")) {
      s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
      s.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput(); // the echo upstream half-closes back only once it saw our end of stream
      assertThat(new String(readToEnd(s), StandardCharsets.US_ASCII)).isEqualTo("world");
    }
    String line = egret.awaitLogLineStartingWith("echo ");
    assertThat(line).matches("echo - rx=10 tx=10 echo_a 127\\.0\\.0\\.1:" + echoA.port()
        + " attempts=1 \\[-\\] - 0 d=\\d+");
    assertThat(stat("envoy_tcp_downstream_cx_total", "envoy_tcp_prefix", "echo")).isGreaterThanOrEqualTo(1);
    assertThat(stat("envoy_tcp_downstream_cx_rx_bytes_total", "envoy_tcp_prefix", "echo")).isGreaterThanOrEqualTo(10);
    assertThat(stat("envoy_cluster_upstream_cx_total", "envoy_cluster_name", "echo_a")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void networkFilterThatStopsHoldsEarlyBytesForTcpProxy() throws Exception {
    try (Socket s = connect("gated")) {
      s.getOutputStream().write("early".getBytes(StandardCharsets.US_ASCII)); // before the filter continues
      assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("early");
    }
    assertThat(egret.awaitLogLineStartingWith("gated ")).startsWith("gated - rx=5 tx=5 echo_a ");
  }

  @Test
  void connectionClosedByANetworkFilterIsStillLoggedByTcpProxy() throws Exception {
    try (Socket s = connect("denied")) {
      s.getOutputStream().write('x');
      assertThat(readToEnd(s)).isEmpty();
    }
    assertThat(egret.awaitLogLineStartingWith("denied ")).startsWith(
        "denied rbac_access_denied_matched_policy[none] - rx=0 tx=0 - - attempts=0 [-] - 0 ");
    assertThat(stat("envoy_tcp_downstream_cx_total", "envoy_tcp_prefix", "denied"))
        .as("tcp_proxy never started on a denied connection").isZero();
  }

  @Test
  void upstreamHalfCloseReachesClientWhichCanStillSend() throws Exception {
    try (Socket s = connect("halfclose")) {
      s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      // pong, then end of stream: the upstream half-closed, and the proxy passed it on
      assertThat(new String(readToEnd(s), StandardCharsets.US_ASCII)).isEqualTo("pong");
      s.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertThat(afterHalfClose.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
    }
    assertThat(egret.awaitLogLineStartingWith("halfclose ")).startsWith("halfclose - rx=9 tx=4 half_closer ");
  }

  @Test
  void defaultFormatPrintsTcpLineAsEnvoyDoes() throws Exception {
    try (Socket s = connect("plainlog")) {
      s.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
      s.getInputStream().readNBytes(3);
      s.shutdownOutput();
      readToEnd(s);
    }
    String line = egret.awaitLogLineContaining("\"- - -\"");
    assertThat(line).matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \"- - -\" 0 - 3 3 \\d+ - "
        + "\"-\" \"-\" \"-\" \"-\" \"127\\.0\\.0\\.1:" + echoA.port() + "\"");
  }

  @Test
  void connectRefusedClosesDownstreamAndLogsUfWithTransportFailureReason() throws Exception {
    try (Socket s = connect("refused")) {
      assertThat(readToEnd(s)).isEmpty();
    }
    String line = egret.awaitLogLineStartingWith("refused ");
    assertThat(line).startsWith("refused UF,URX rx=0 tx=0 refused 127.0.0.1:" + refused.port()
        + " attempts=1 [delayed connect error: Connection refused] - 0 ");
    assertThat(stat("envoy_cluster_upstream_cx_connect_fail", "envoy_cluster_name", "refused")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void connectAttemptsAreRetriedUpToMaxConnectAttempts() throws Exception {
    try (Socket s = connect("refused3")) {
      assertThat(readToEnd(s)).isEmpty();
    }
    assertThat(egret.awaitLogLineStartingWith("refused3 ")).startsWith("refused3 UF,URX rx=0 tx=0 refused ")
        .contains(" attempts=3 [delayed connect error: Connection refused]");
  }

  @Test
  void idleTimeoutClosesBothSidesAndIsCounted() throws Exception {
    long before = stat("envoy_tcp_idle_timeout", "envoy_tcp_prefix", "idle");
    long started = System.nanoTime();
    try (Socket s = connect("idle")) {
      s.getOutputStream().write('x');
      assertThat(s.getInputStream().read()).isEqualTo('x');
      assertThat(readToEnd(s)).isEmpty(); // closed by the proxy, not by us
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(awaitStat("envoy_tcp_idle_timeout", "envoy_tcp_prefix", "idle", before + 1)).isEqualTo(before + 1);
    assertThat(egret.awaitLogLineStartingWith("idle ")).startsWith("idle - rx=1 tx=1 holder ");
  }

  @Test
  void maxDownstreamConnectionDurationClosesWithDt() throws Exception {
    try (Socket s = connect("duration")) {
      s.getOutputStream().write('x');
      assertThat(s.getInputStream().read()).isEqualTo('x');
      assertThat(readToEnd(s)).isEmpty();
    }
    assertThat(egret.awaitLogLineStartingWith("duration ")).startsWith("duration DT rx=1 tx=1 holder ");
    assertThat(awaitStat("envoy_tcp_max_downstream_connection_duration", "envoy_tcp_prefix", "duration", 1))
        .isEqualTo(1);
  }

  @Test
  void weightedClustersSpreadConnectionsOverBoth() throws Exception {
    int a0 = echoA.accepted();
    int b0 = echoB.accepted();
    int n = 60;
    for (int i = 0; i < n; i++) {
      try (Socket s = connect("weighted")) {
        s.getOutputStream().write('w');
        assertThat(s.getInputStream().read()).isEqualTo('w');
      }
    }
    int a = echoA.accepted() - a0;
    int b = echoB.accepted() - b0;
    assertThat(a + b).isEqualTo(n);
    // 1:1 weights: each gets at least 10 of 60 except with probability below 1e-6
    assertThat(a).isGreaterThanOrEqualTo(10);
    assertThat(b).isGreaterThanOrEqualTo(10);
  }

  @Test
  void periodicEntriesAreWrittenWhileTheConnectionLasts() throws Exception {
    try (Socket s = connect("periodic")) {
      s.getOutputStream().write("ab".getBytes(StandardCharsets.US_ASCII));
      s.getInputStream().readNBytes(2);
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      long periodic;
      do {
        periodic = egret.awaitLogLines(0).stream().filter(l -> l.startsWith("periodic - rx=2 tx=2 ")).count();
        Thread.sleep(20);
      } while (periodic < 2 && System.nanoTime() < deadline);
      assertThat(periodic).as("entries while open").isGreaterThanOrEqualTo(2);
      s.getOutputStream().write('c');
      s.getInputStream().read();
    }
    egret.awaitLogLineStartingWith("periodic - rx=3 tx=3 ");
  }

  @Test
  void flushOnConnectedLogsAnEntryOnceTheUpstreamIsConnected() throws Exception {
    try (Socket s = connect("onconnect")) {
      s.getOutputStream().write('x');
      assertThat(s.getInputStream().read()).isEqualTo('x');
      // still open: this entry was written when the upstream connected
      assertThat(egret.awaitLogLineStartingWith("onconnect ")).startsWith("onconnect - rx=");
      assertThat(egret.awaitLogLines(0).stream().filter(l -> l.startsWith("onconnect ")).count()).isEqualTo(1);
    }
    egret.awaitLogLineStartingWith("onconnect - rx=1 tx=1 holder ");
  }

  @Test
  void unknownClusterClosesWithNcAndCountsNoRoute() throws Exception {
    try (Socket s = connect("ghost")) {
      assertThat(readToEnd(s)).isEmpty();
    }
    assertThat(egret.awaitLogLineStartingWith("ghost ")).startsWith("ghost NC rx=0 tx=0 - - attempts=0 ");
    assertThat(stat("envoy_tcp_downstream_cx_no_route", "envoy_tcp_prefix", "ghost")).isEqualTo(1);
  }

  @Test
  void connectionCircuitBreakerOverflowClosesWithUo() throws Exception {
    try (Socket first = connect("overflow")) {
      first.getOutputStream().write('1');
      assertThat(first.getInputStream().read()).isEqualTo('1');
      try (Socket second = connect("overflow")) {
        assertThat(readToEnd(second)).isEmpty();
      }
      assertThat(egret.awaitLogLineStartingWith("overflow ")).startsWith("overflow UO rx=0 tx=0 one_connection ");
      assertThat(stat("envoy_cluster_upstream_cx_overflow", "envoy_cluster_name", "one_connection")).isEqualTo(1);
      first.getOutputStream().write('2');
      assertThat(first.getInputStream().read()).isEqualTo('2');
    }
  }

  @Test
  void slowDownstreamReaderBoundsWhatTheProxyBuffers() throws Exception {
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(64 * 1024); // before connecting, so the window is small from the start
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), egret.port("flood")));
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      byte[] first = in.readNBytes(64 * 1024);
      assertThat(first).hasSize(64 * 1024);
      // we stop reading: the upstream's writes must stall once the buffers on the way are full
      long last = -1;
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline) {
        long now = floodWritten.get();
        if (now == last) {
          break;
        }
        last = now;
        Thread.sleep(300);
      }
      assertThat(floodWritten.get()).as("bytes the upstream got rid of while we did not read")
          .isLessThan(FLOOD_BYTES / 2);
      long total = first.length;
      long bad = 0;
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] != (byte) ((total + i) % 251)) {
            bad++;
          }
        }
        total += n;
      }
      assertThat(total).isEqualTo(FLOOD_BYTES);
      assertThat(bad).isZero();
    }
    assertThat(egret.awaitLogLineStartingWith("flood ")).startsWith("flood - rx=0 tx=" + FLOOD_BYTES + " flood ");
  }

  @Test
  void slowUpstreamReaderPausesDownstreamReading() throws Exception {
    try (Socket s = connect("upload")) {
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          byte[] chunk = new byte[64 * 1024];
          for (int sent = 0; sent < UPLOAD_BYTES; sent += chunk.length) {
            out.write(chunk);
          }
          s.shutdownOutput();
        } catch (IOException e) {
          // the assertions below fail instead
        }
      }, "upload-writer");
      writer.setDaemon(true);
      writer.start();
      assertThat(awaitStat("envoy_tcp_downstream_flow_control_paused_reading_total", "envoy_tcp_prefix", "upload", 1))
          .isGreaterThanOrEqualTo(1);
      slowReaderGo.countDown();
      writer.join(20_000);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (slowReaderGot.get() < UPLOAD_BYTES && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(slowReaderGot.get()).isEqualTo(UPLOAD_BYTES);
    }
    assertThat(stat("envoy_tcp_downstream_flow_control_resumed_reading_total", "envoy_tcp_prefix", "upload"))
        .isGreaterThanOrEqualTo(1);
  }
}
