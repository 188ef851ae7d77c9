package dev.egret.core;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.demo.DemoSection;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.TestPki;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code egret demo}: starts local stand-ins for the external services of the scenarios in
 * {@code shared/scenarios.md} (an Ollama-like server, an HTTPS "httpbin.org" with its own demo CA, an
 * impostor with a certificate for the wrong name), runs Egret on {@code demo-config.yaml}, sends the
 * scenario requests and prints each one beside the access-log line Egret wrote for it.
 */
final class Demo {
  private static final String CONFIG = "/dev/egret/core/demo-config.yaml";

  private Demo() {}

  static int run(PrintStream out, PrintStream err) {
    try {
      return run0(out);
    } catch (Exception e) {
      err.println("egret demo failed: " + e);
      return 1;
    }
  }

  private static int run0(PrintStream out) throws Exception {
    // the demo addresses virtual hosts by Host header, which java.net.http guards unless told before first use
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    Path dir = Files.createTempDirectory("egret-demo");
    Path accessLog = dir.resolve("access.log");
    Path accessJson = dir.resolve("access.json");
    Files.createFile(accessLog);
    Files.createFile(accessJson);
    TestPki.Ca ca = TestPki.newCa("Egret demo CA");
    Path caPem = ca.writePem(dir);
    TestPki.Issued httpbinCert = ca.issue("httpbin.org", List.of("httpbin.org"), List.of(), List.of());
    TestPki.Issued impostorCert = ca.issue("impostor.example", List.of("impostor.example"), List.of(), List.of());
    int adminPort;

    try (DemoUpstream ollama = DemoUpstream.http1("ollama").withFixedBody("Ollama is running");
         DemoUpstream httpbin = DemoUpstream.tls("httpbin.org", serverContext(httpbinCert));
         DemoUpstream impostor = DemoUpstream.tls("impostor", serverContext(impostorCert));
         DemoUpstream slow = DemoUpstream.http1("slow")) {
      String yaml = resource(CONFIG)
          .replace("${ACCESS_LOG_JSON}", accessJson.toString())
          .replace("${ACCESS_LOG}", accessLog.toString())
          .replace("${SLOW_PORT}", Integer.toString(slow.port()))
          .replace("${DEMO_CA}", caPem.toString())
          .replace("${OLLAMA_PORT}", Integer.toString(ollama.port()))
          .replace("${HTTPBIN_PORT}", Integer.toString(httpbin.port()))
          .replace("${IMPOSTOR_PORT}", Integer.toString(impostor.port()));
      Bootstrap bootstrap = BootstrapLoader.parse(yaml, "demo-config.yaml", Bootstrap.newBuilder()).build();
      try (EgretServer egret = EgretServer.start(bootstrap, 2)) {
        int port = egret.listenerAddress("egress").getPort();
        out.println("Egret demo: Egret listens on 127.0.0.1:" + port + "; upstreams are local stand-ins.");
        out.println("Configuration: " + CONFIG.substring(1) + " (in proxy-core's resources); logs in Istio's text format.");
        Session s = new Session(out, port, accessLog, accessJson);

        s.scenario("S1  egress gateway by Host: plain HTTP to an external AI service",
            "host.docker.internal:11434", "/");
        s.scenario("S2  TLS origination: the app calls http://httpbin.org, Egret calls https:// "
            + "(SNI httpbin.org, certificate verified against the demo CA, HTTP/2 by ALPN)", "httpbin.org", "/get");
        s.scenario("S2  a server whose certificate names another host is refused: 503 UF, "
            + "the transport failure reason says why", "impostor.example", "/get");
        s.scenario("no route for the Host: 404 NR", "unknown.example", "/");
        ollama.close();
        s.scenario("S1  the AI service is paused: 3 attempts, then 503; the JSON log line carries URX,UF, "
            + "the attempt count and the transport failure reason", "host.docker.internal:11434", "/");
        s.printJson();
        s.scenario("a route timeout of 0.5 s against a server that takes 2 s: 504 UT", "slow.example", "/sleep/2000");
        s.concurrent("a circuit breaker (max_requests: 1): of two requests at once, one is refused 503 UO",
            "guarded.example", "/sleep/300");
        adminPort = egret.adminAddress().getPort();
      }
    }
    for (DemoSection section : DemoSection.load()) { // e.g. the hbone module's HBONE caller
      section.run(out, ca, dir);
    }
    out.println();
    out.println("Done. Admin was on http://127.0.0.1:" + adminPort
        + " (try /stats/prometheus while running Egret yourself).");
    return 0;
  }

  private static SslContext serverContext(TestPki.Issued cert) throws IOException {
    return SslContextBuilder.forServer(cert.key(), cert.cert())
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
        .build();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Demo.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Sends requests and pairs each with the access-log line it produced. */
  private static final class Session {
    private final PrintStream out;
    private final int port;
    private final Path accessLog;
    private final Path accessJson;
    private int linesSeen;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    Session(PrintStream out, int port, Path accessLog, Path accessJson) {
      this.out = out;
      this.port = port;
      this.accessLog = accessLog;
      this.accessJson = accessJson;
    }

    /** Prints the JSON access-log line of the last request (as an operator filtering logs would). */
    void printJson() throws IOException, InterruptedException {
      List<String> lines = waitForLines(accessJson, linesSeen);
      out.println("   json: " + (lines.size() >= linesSeen ? lines.get(linesSeen - 1) : "(none)"));
    }

    /** Sends the same request twice at once, then prints both answers and log lines. */
    void concurrent(String title, String host, String path) throws Exception {
      out.println();
      out.println("== " + title);
      out.println("   2 x curl -H 'Host: " + host + "' http://127.0.0.1:" + port + path);
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .header("Host", host).header("User-Agent", "egret-demo").timeout(Duration.ofSeconds(10)).build();
      var a = client.sendAsync(req, HttpResponse.BodyHandlers.ofString());
      var b = client.sendAsync(req, HttpResponse.BodyHandlers.ofString());
      for (HttpResponse<String> r : List.of(a.get(), b.get())) {
        out.println("   -> " + r.statusCode() + (r.body().isEmpty() ? "" : "  " + oneLine(r.body()))
            + r.headers().firstValue("x-envoy-overloaded").map(v -> "   (x-envoy-overloaded: " + v + ")").orElse(""));
      }
      out.println("   log: " + nextLogLine());
      out.println("   log: " + nextLogLine());
    }

    void scenario(String title, String host, String path) throws Exception {
      out.println();
      out.println("== " + title);
      out.println("   curl -H 'Host: " + host + "' http://127.0.0.1:" + port + path);
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .header("Host", host).header("User-Agent", "egret-demo").timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      out.println("   -> " + r.statusCode() + (r.body().isEmpty() ? "" : "  " + oneLine(r.body())));
      r.headers().firstValue("server").ifPresent(v -> out.println("      server: " + v));
      r.headers().firstValue("x-envoy-upstream-service-time")
          .ifPresent(v -> out.println("      x-envoy-upstream-service-time: " + v));
      out.println("   log: " + nextLogLine());
    }

    private String nextLogLine() throws IOException, InterruptedException {
      List<String> lines = waitForLines(accessLog, linesSeen + 1);
      return lines.size() > linesSeen ? lines.get(linesSeen++) : "(no access-log line within 3 s)";
    }

    private static List<String> waitForLines(Path file, int n) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      while (lines.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      }
      return lines;
    }

    private static String oneLine(String s) {
      String t = s.replace('\n', ' ').trim();
      return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
  }

}
