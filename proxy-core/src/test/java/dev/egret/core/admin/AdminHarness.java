package dev.egret.core.admin;

import dev.egret.core.stats.Stats;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real admin server on 127.0.0.1:0 over a {@link FakeAdmin}, with a JDK HTTP client. */
final class AdminHarness implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  final FakeAdmin admin;
  final AdminServer server;
  private final EventLoopGroup group;
  private final HttpClient client;

  AdminHarness() {
    group = AdminServer.newEventLoopGroup();
    admin = new FakeAdmin(new Stats());
    server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), group, admin);
    client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return client.send(b.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.localAddress().getPort() + pathAndQuery);
  }

  @Override
  public void close() {
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
