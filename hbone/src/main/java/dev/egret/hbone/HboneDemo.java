package dev.egret.hbone;

import dev.egret.core.EgretServer;
import dev.egret.core.Transports;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.demo.DemoSection;
import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.testing.TestPki;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeOpener;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code egret demo}'s HBONE section (scenario S3/S4's transport): a caller holding the SPIFFE
 * certificate {@value #CALLER} opens an HBONE tunnel (mutual TLS, HTTP/2 CONNECT) to Egret's
 * {@code connect_terminate} listener, asks for the demo's external host, and sends an HTTP/1.1 request
 * inside it. The access-log line shows the caller's SPIFFE id: who left the mesh, and where to.
 */
public final class HboneDemo implements DemoSection {
  static final String CALLER = "spiffe://cluster.local/ns/default/sa/sleep";
  private static final String CONFIG = "/dev/egret/hbone/demo-hbone.yaml";

  @Override
  public void run(PrintStream out, TestPki.Ca ca, Path dir) throws Exception {
    Path caPem = ca.writePem(Files.createDirectories(dir.resolve("hbone")));
    TestPki.PemFiles waypoint = ca.issue("waypoint", List.of(), List.of(
        "spiffe://cluster.local/ns/istio-system/sa/egret-waypoint"), List.of("127.0.0.1"))
        .writePem(Files.createDirectories(dir.resolve("hbone/waypoint")));
    TestPki.Issued caller = ca.issue("sleep", List.of(), List.of(CALLER), List.of());
    Path accessLog = dir.resolve("hbone/access.log");
    Files.createFile(accessLog);
    EventLoopGroup group = Transports.newGroup(1, new DefaultThreadFactory("egret-demo-hbone", true));
    try (DemoUpstream httpbin = DemoUpstream.http1("httpbin.org").withFixedBody("hello from httpbin.org")) {
      String yaml = resource(CONFIG)
          .replace("${CERT}", waypoint.certChain().toString())
          .replace("${KEY}", waypoint.key().toString())
          .replace("${CA}", caPem.toString())
          .replace("${ACCESS_LOG}", accessLog.toString())
          .replace("${HTTPBIN_PORT}", Integer.toString(httpbin.port()));
      Bootstrap bootstrap = BootstrapLoader.parse(yaml, "demo-hbone.yaml", Bootstrap.newBuilder()).build();
      try (EgretServer egret = EgretServer.start(bootstrap, 1);
          HboneConnector client = new HboneConnector(HboneTls.client(caller.certPem(), caller.keyPem(),
              ca.certPem(), List.of("cluster.local")), HboneClientSettings.DEFAULT)) {
        InetSocketAddress at = egret.listenerAddress("connect_terminate");
        out.println();
        out.println("== HBONE: a mesh workload (" + CALLER + ") tunnels to httpbin.org:80 through Egret's "
            + "connect_terminate (mutual TLS 1.3, HTTP/2 CONNECT on 127.0.0.1:" + at.getPort() + ")");
        String response = exchange(client.opener(at, "httpbin.org:80", null), group,
            "GET /get HTTP/1.1\r\nHost: httpbin.org\r\nConnection: close\r\n\r\n");
        String first = response.isEmpty() ? "(no answer)" : response.lines().findFirst().orElse("");
        String body = response.contains("\r\n\r\n") ? response.substring(response.indexOf("\r\n\r\n") + 4).trim() : "";
        out.println("   -> " + first + (body.isEmpty() ? "" : "  " + body));
      }
      out.println("   log: " + lastLine(accessLog));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Opens a tunnel, sends {@code request}, and returns everything the peer sent until it closed. */
  private static String exchange(PipeOpener opener, EventLoopGroup group, String request) throws Exception {
    CompletableFuture<String> done = new CompletableFuture<>();
    StringBuilder received = new StringBuilder();
    BytePipe[] opened = new BytePipe[1];
    BytePipe.Listener listener = new BytePipe.Listener() {
      @Override
      public void onData(ByteBuf data) {
        received.append(data.toString(StandardCharsets.UTF_8));
        data.release();
        opened[0].read(); // reads are explicit: ask for the next bytes
      }

      @Override
      public void onEnd() {
        done.complete(received.toString());
      }

      @Override
      public void onClosed(boolean graceful) {
        done.complete(received.toString());
      }

      @Override
      public void onWritabilityChanged(boolean writable) {
      }
    };
    io.netty.channel.EventLoop loop = group.next();
    loop.execute(() -> opener.open(loop, listener, new PipeOpener.Callback() {
      @Override
      public void onOpen(BytePipe pipe) {
        opened[0] = pipe;
        pipe.write(Unpooled.copiedBuffer(request, StandardCharsets.UTF_8));
        pipe.flush();
        pipe.read();
      }

      @Override
      public void onFailure(ResetReason reason, String transportFailureReason) {
        done.complete("tunnel refused: " + reason.text() + (transportFailureReason == null ? "" : " " + transportFailureReason));
      }
    }));
    return done.get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String lastLine(Path file) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    while (lines.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    }
    return lines.isEmpty() ? "(no access-log line within 3 s)" : lines.get(lines.size() - 1);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = HboneDemo.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
