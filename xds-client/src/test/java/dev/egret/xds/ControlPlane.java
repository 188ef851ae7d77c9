package dev.egret.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * java-control-plane's xDS server, in-process on 127.0.0.1 with real gRPC: a snapshot cache for one
 * node group, recording every request Egret sends (to check ACKs, NACKs and resubscriptions).
 */
final class ControlPlane implements AutoCloseable {
  final SimpleCache<String> cache = new SimpleCache<>(node -> "egret");
  final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  final List<DeltaDiscoveryRequest> deltaRequests = new CopyOnWriteArrayList<>();
  /** The headers of every call Egret opened. */
  final List<io.grpc.Metadata> callHeaders = new CopyOnWriteArrayList<>();
  private Server server;
  private int port;

  ControlPlane start() throws IOException {
    return startOn(0);
  }

  ControlPlane startOn(int p) throws IOException {
    return startOn(p, null);
  }

  /** Serves over TLS with {@code ssl} (null: plaintext). */
  ControlPlane startOn(int p, io.grpc.netty.shaded.io.netty.handler.ssl.SslContext ssl) throws IOException {
    V3DiscoveryServer ds = new V3DiscoveryServer(new DiscoveryServerCallbacks() {
      @Override
      public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        requests.add(request);
      }

      @Override
      public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
        deltaRequests.add(request);
      }
    }, cache);
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", p))
        .addService(recording(ds));
    if (ssl != null) {
      b.sslContext(ssl);
    }
    server = b.build().start();
    port = server.getPort();
    return this;
  }

  /** Serves on the Unix domain socket {@code path} (needs epoll). */
  ControlPlane startOnUnixSocket(String path) throws IOException {
    V3DiscoveryServer ds = new V3DiscoveryServer(new DiscoveryServerCallbacks() {
      @Override
      public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        requests.add(request);
      }

      @Override
      public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
        deltaRequests.add(request);
      }
    }, cache);
    var group = new io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup(1);
    server = NettyServerBuilder.forAddress(new io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress(path))
        .channelType(io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(group).workerEventLoopGroup(group)
        .addService(recording(ds)).build().start();
    return this;
  }

  private io.grpc.ServerServiceDefinition recording(V3DiscoveryServer ds) {
    return io.grpc.ServerInterceptors.intercept(ds.getAggregatedDiscoveryServiceImpl(), new io.grpc.ServerInterceptor() {
      @Override
      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers,
          io.grpc.ServerCallHandler<Q, R> next) {
        callHeaders.add(headers);
        return next.startCall(call, headers);
      }
    });
  }

  int port() {
    return port;
  }

  void push(Snapshot s) {
    cache.setSnapshot("egret", s);
  }

  void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (server != null && !server.isTerminated()) {
      stop();
    }
  }
}
