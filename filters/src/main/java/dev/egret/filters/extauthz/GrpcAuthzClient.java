package dev.egret.filters.extauthz;

import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.upstream.Host;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Calls {@code envoy.service.auth.v3.Authorization/Check} with grpc-java (grpc-netty-shaded, plaintext).
 * With {@code envoy_grpc} each check picks a host of the named cluster through the cluster's load
 * balancer (on the stream's event loop) and uses a channel to that host, whose {@code :authority} is
 * {@code envoy_grpc.authority} or the cluster name; with {@code google_grpc} one channel to
 * {@code target_uri}. The call has the configured deadline (none for an explicit 0); its completion, which arrives on a gRPC
 * transport thread, is handed back to the stream's event loop, so the loop never blocks.
 *
 * <p>Channels are made on first use, kept per host, and go idle (closing their connection) after
 * five minutes without calls.
 */
final class GrpcAuthzClient implements AuthzClient {
  private static final long CHANNEL_IDLE_MINUTES = 5;

  private final String clusterName; // null with a target URI
  private final String authority;
  private final String targetUri; // null with a cluster
  private final Function<String, ClusterRuntime> clusters;
  private final long timeoutMillis;
  private final Metadata initialMetadata; // nullable
  private final CheckRequestBuilder requests;
  private final Map<Object, ManagedChannel> channels = new ConcurrentHashMap<>();

  private GrpcAuthzClient(String clusterName, String authority, String targetUri,
      Function<String, ClusterRuntime> clusters, long timeoutMillis, Metadata initialMetadata,
      CheckRequestBuilder requests) {
    this.clusterName = clusterName;
    this.authority = authority;
    this.targetUri = targetUri;
    this.clusters = clusters;
    this.timeoutMillis = timeoutMillis;
    this.initialMetadata = initialMetadata;
    this.requests = requests;
  }

  /** A client for {@code envoy_grpc}: hosts of {@code clusterName}, {@code :authority} = {@code authority}. */
  static GrpcAuthzClient forCluster(String clusterName, String authority, Function<String, ClusterRuntime> clusters,
      long timeoutMillis, Metadata initialMetadata, CheckRequestBuilder requests) {
    return new GrpcAuthzClient(clusterName, authority, null, clusters, timeoutMillis, initialMetadata, requests);
  }

  /** A client for {@code google_grpc}: one channel to {@code targetUri}. */
  static GrpcAuthzClient forTarget(String targetUri, long timeoutMillis, Metadata initialMetadata,
      CheckRequestBuilder requests) {
    return new GrpcAuthzClient(null, null, targetUri, name -> null, timeoutMillis, initialMetadata, requests);
  }

  @Override
  public Pending check(HttpFilterCallbacks cb, HttpRequest request, Map<String, String> contextExtensions,
      Consumer<AuthzResult> done) {
    Channel channel;
    if (targetUri != null) {
      channel = channels.computeIfAbsent(targetUri, t -> configure(Grpc.newChannelBuilder(targetUri,
          InsecureChannelCredentials.create())));
    } else {
      ClusterRuntime cluster = clusters.apply(clusterName);
      if (cluster == null) {
        done.accept(new AuthzResult.Error("cluster '" + clusterName + "' not found"));
        return () -> { };
      }
      if (cluster.usesTls()) {
        done.accept(new AuthzResult.Error("TLS to authorization cluster '" + clusterName + "' is not supported"));
        return () -> { };
      }
      Host host = cluster.chooseHost();
      if (host == null) {
        done.accept(new AuthzResult.Error("cluster '" + clusterName + "' has no healthy host"));
        return () -> { };
      }
      channel = channels.computeIfAbsent(host.address(), a -> configure(NettyChannelBuilder.forAddress(
          host.address(), InsecureChannelCredentials.create()).overrideAuthority(authority)));
    }
    if (initialMetadata != null) {
      channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(initialMetadata));
    }
    CheckRequest check = requests.build(cb, request, contextExtensions);
    CallOptions options = timeoutMillis > 0
        ? CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS) : CallOptions.DEFAULT;
    ClientCall<CheckRequest, CheckResponse> call = channel.newCall(AuthorizationGrpc.getCheckMethod(), options);
    EventLoop loop = cb.eventLoop();
    ClientCalls.asyncUnaryCall(call, check, new StreamObserver<CheckResponse>() {
      private CheckResponse response;

      @Override
      public void onNext(CheckResponse value) {
        response = value;
      }

      @Override
      public void onError(Throwable t) {
        Status s = Status.fromThrowable(t);
        deliver(loop, done, new AuthzResult.Error("gRPC " + s.getCode()
            + (s.getDescription() == null ? "" : ": " + s.getDescription())));
      }

      @Override
      public void onCompleted() {
        CheckResponse r = response;
        deliver(loop, done, r == null ? new AuthzResult.Error("no CheckResponse") : CheckResponses.translate(r));
      }
    });
    return () -> call.cancel("the downstream stream ended", null);
  }

  private static ManagedChannel configure(ManagedChannelBuilder<?> b) {
    return b.directExecutor().idleTimeout(CHANNEL_IDLE_MINUTES, TimeUnit.MINUTES).build();
  }

  private static void deliver(EventLoop loop, Consumer<AuthzResult> done, AuthzResult result) {
    try {
      loop.execute(() -> done.accept(result));
    } catch (RejectedExecutionException shuttingDown) {
      // the stream's loop is gone, and the stream with it
    }
  }
}
