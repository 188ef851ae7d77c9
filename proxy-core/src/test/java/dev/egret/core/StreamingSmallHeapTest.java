package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import java.io.BufferedReader;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream through Egret, never aggregated: 1 GiB each way passes through an Egret process
 * started with {@code -Xmx128m}.
 */
class StreamingSmallHeapTest {
  static final long GIB = 1L << 30;
  static DemoUpstream upstream;
  static Process egret;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    upstream = DemoUpstream.http1("big");
    Path config = Files.createTempFile("egret-stream", ".yaml");
    Files.writeString(config, """
        static_resources:
          listeners:
          - name: stream
            address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: stream
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: big, timeout: 0s }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          clusters:
          - name: big
            type: STATIC
            load_assignment:
              cluster_name: big
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } }
        """.formatted(upstream.port()));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-Dio.netty.leakDetection.level=disabled",
        "-cp", System.getProperty("java.class.path"), Egret.class.getName(), "-c", config.toString())
        .redirectErrorStream(true);
    egret = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(egret.getInputStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("listener stream on 127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String line;
    while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
      Matcher m = listening.matcher(line);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        break;
      }
    }
    assertThat(port).as("Egret printed its listener port").isPositive();
    Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "egret-stdout");
    drain.setDaemon(true);
    drain.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (egret != null) {
      egret.destroy();
      egret.waitFor(10, TimeUnit.SECONDS);
    }
    upstream.close();
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @Test
  void oneGibDownloadStreamsThroughA128MibHeap() throws Exception {
    HttpResponse<InputStream> r = client().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/download/" + GIB)).timeout(Duration.ofSeconds(120)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    long total = 0;
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = r.body()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
      }
    }
    assertThat(total).isEqualTo(GIB);
    assertThat(egret.isAlive()).isTrue();
  }

  @Test
  void oneGibUploadStreamsThroughA128MibHeap() throws Exception {
    byte[] chunk = new byte[256 * 1024];
    InputStream body = new InputStream() {
      long left = GIB;

      @Override
      public int read() {
        if (left == 0) {
          return -1;
        }
        left--;
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(Math.min(len, chunk.length), left);
        left -= n;
        return n;
      }
    };
    HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), GIB))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("received " + GIB);
    assertThat(egret.isAlive()).isTrue();
  }

}
