package dev.egret.filters.extauthz;

import com.google.protobuf.BoolValue;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code envoy.service.auth.v3.Authorization} server on 127.0.0.1 that decides as scenario S1's
 * Kyverno policy does: a request is allowed only with {@code x-force-authorized: true} or
 * {@code enabled} (or, for clients that cannot set headers, a path under {@code /h2-allowed}). Allowed answers set {@code x-authz-user: alice}, append to {@code x-append-me},
 * remove {@code x-remove-me}, add the response header {@code x-authz-decision: allowed} and return
 * dynamic metadata {@code user: alice}. Other
 * behaviours by request header: {@code x-deny-custom} → 401 with headers and body;
 * {@code x-slow: MS} → answers after MS milliseconds. Everything else is denied (403, body
 * {@code denied by policy}). Every CheckRequest is recorded.
 */
final class TestAuthzServer implements AutoCloseable {
  final BlockingQueue<CheckRequest> checks = new LinkedBlockingQueue<>();
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
  private final Server server;

  TestAuthzServer() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(new AuthorizationGrpc.AuthorizationImplBase() {
          @Override
          public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
            checks.add(request);
            Map<String, String> h = request.getAttributes().getRequest().getHttp().getHeadersMap();
            CheckResponse answer = decide(h);
            String slow = h.get("x-slow");
            if (slow != null) {
              delays.schedule(() -> respond(out, answer), Long.parseLong(slow), TimeUnit.MILLISECONDS);
            } else {
              respond(out, answer);
            }
          }
        })
        .build()
        .start();
  }

  int port() {
    return server.getPort();
  }

  private static void respond(StreamObserver<CheckResponse> out, CheckResponse answer) {
    try {
      out.onNext(answer);
      out.onCompleted();
    } catch (RuntimeException cancelled) {
      // the client gave up (deadline): nothing to answer
    }
  }

  static CheckResponse decide(Map<String, String> h) {
    String force = h.getOrDefault("x-force-authorized", "");
    if (force.equals("true") || force.equals("enabled") || h.getOrDefault(":path", "").startsWith("/h2-allowed")) {
      return CheckResponse.newBuilder()
          .setStatus(Status.newBuilder().setCode(0))
          .setOkResponse(OkHttpResponse.newBuilder()
              .addHeaders(header("x-authz-user", "alice", null))
              .addHeaders(header("x-append-me", "from-authz", true))
              .addHeadersToRemove("x-remove-me")
              .addResponseHeadersToAdd(header("x-authz-decision", "allowed", null)))
          .setDynamicMetadata(com.google.protobuf.Struct.newBuilder().putFields("user",
              com.google.protobuf.Value.newBuilder().setStringValue("alice").build()))
          .build();
    }
    if (h.containsKey("x-deny-custom")) {
      return CheckResponse.newBuilder()
          .setStatus(Status.newBuilder().setCode(7))
          .setDeniedResponse(DeniedHttpResponse.newBuilder()
              .setStatus(HttpStatus.newBuilder().setCode(StatusCode.Unauthorized))
              .addHeaders(header("x-denied-by", "test-authz", null))
              .addHeaders(header("set-cookie", "a=1", true))
              .addHeaders(header("set-cookie", "b=2", true))
              .addHeaders(header("content-type", "application/json", null))
              .setBody("{\"reason\":\"custom\"}"))
          .build();
    }
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(7))
        .setDeniedResponse(DeniedHttpResponse.newBuilder().setBody("denied by policy"))
        .build();
  }

  private static HeaderValueOption header(String name, String value, Boolean append) {
    HeaderValueOption.Builder b = HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value));
    if (append != null) {
      b.setAppend(BoolValue.of(append));
    }
    return b.build();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    delays.shutdownNow();
  }
}
