package dev.egret.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.EgretServer;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.upstream.DnsResolverFactory;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Starts Egret in-process on a YAML bootstrap for a test. The YAML may use {@code ${NAME}} placeholders,
 * filled from the given map; {@code ${ACCESS_LOG}} is always a fresh file whose lines
 * {@link #awaitLogLines} reads. Listeners and admin should bind port 0.
 */
public final class EgretHarness implements AutoCloseable {
  private final EgretServer server;
  private final Path accessLog;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  public EgretHarness(String yaml, Map<String, Object> vars) throws Exception {
    this(yaml, vars, DnsResolverFactory.system());
  }

  /** As {@link #EgretHarness(String, Map)}, with DNS clusters resolving through {@code dns}. */
  public EgretHarness(String yaml, Map<String, Object> vars, DnsResolverFactory dns) throws Exception {
    this.accessLog = Files.createTempFile("egret-access", ".log");
    String text = yaml.replace("${ACCESS_LOG}", accessLog.toString());
    for (Map.Entry<String, Object> e : vars.entrySet()) {
      text = text.replace("${" + e.getKey() + "}", String.valueOf(e.getValue()));
    }
    Bootstrap b = BootstrapLoader.parse(text, "test bootstrap", Bootstrap.newBuilder()).build();
    this.server = EgretServer.start(b, 2, dns);
  }

  public EgretServer server() {
    return server;
  }

  public int port(String listener) {
    return server.listenerAddress(listener).getPort();
  }

  public int adminPort() {
    return server.adminAddress().getPort();
  }

  /** GET through the named listener with the given Host header. */
  public HttpResponse<String> get(String listener, String host, String path) throws IOException, InterruptedException {
    return send(listener, host, "GET", path, HttpRequest.BodyPublishers.noBody(), Map.of());
  }

  public HttpResponse<String> send(String listener, String host, String method, String path,
      HttpRequest.BodyPublisher body, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(listener) + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body)
        .header("Host", host);
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits (up to 5 s) until the access log has at least {@code n} lines, and returns them. */
  public List<String> awaitLogLines(int n) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<String> lines;
    do {
      lines = Files.readAllLines(accessLog, StandardCharsets.UTF_8);
      if (lines.size() >= n) {
        return lines;
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    assertThat(lines).as("access log lines").hasSizeGreaterThanOrEqualTo(n);
    return lines;
  }

  /** Waits (up to 5 s) for an access-log line containing {@code needle}; returns the newest such line. */
  public String awaitLogLineContaining(String needle) throws IOException, InterruptedException {
    return awaitLogLine(l -> l.contains(needle), "containing '" + needle + "'");
  }

  /** Waits (up to 5 s) for an access-log line starting with {@code prefix}; returns the newest such line. */
  public String awaitLogLineStartingWith(String prefix) throws IOException, InterruptedException {
    return awaitLogLine(l -> l.startsWith(prefix), "starting with '" + prefix + "'");
  }

  /** Waits (up to 5 s) for an access-log line that {@code test} accepts; returns the newest such line. */
  public String awaitLogLine(java.util.function.Predicate<String> test, String what)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    do {
      List<String> lines = Files.readAllLines(accessLog, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (test.test(lines.get(i))) {
          return lines.get(i);
        }
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no access-log line " + what);
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(accessLog);
  }
}
