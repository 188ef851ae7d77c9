package dev.egret.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Responses Egret makes itself (no route, no healthy upstream, connect failure, timeouts, …), built
 * the way Envoy builds them: a non-empty body is {@code text/plain} with a {@code content-length};
 * a gRPC request instead gets a trailers-only response whose {@code grpc-status} is mapped from the
 * HTTP status and whose {@code grpc-message} is the percent-encoded body; a HEAD request gets the
 * headers only.
 */
public final class LocalReply {
  private LocalReply() {}

  /**
   * Builds the reply for {@code request} (nullable when the request could not be decoded).
   *
   * @param body the body text; empty for none
   */
  public static FullHttpResponse build(HttpRequest request, int status, String body, ByteBufAllocator alloc) {
    HttpResponseStatus s = HttpResponseStatus.valueOf(status);
    if (request != null && isGrpc(request)) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.EMPTY_BUFFER);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
      r.headers().set("grpc-status", Integer.toString(grpcStatus(status)));
      if (!body.isEmpty()) {
        r.headers().set("grpc-message", URLEncoder.encode(body, StandardCharsets.UTF_8).replace("+", "%20"));
      }
      return r;
    }
    boolean head = request != null && HttpMethod.HEAD.equals(request.method());
    ByteBuf content = body.isEmpty() || head
        ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, content);
    if (!body.isEmpty()) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.getBytes(StandardCharsets.UTF_8).length);
    } else {
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    return r;
  }

  static boolean isGrpc(HttpRequest request) {
    String ct = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return ct != null && ct.startsWith("application/grpc");
  }

  /** Envoy's HTTP → gRPC status mapping for local replies. */
  static int grpcStatus(int http) {
    switch (http) {
      case 400: return 13; // INTERNAL
      case 401: return 16; // UNAUTHENTICATED
      case 403: return 7; // PERMISSION_DENIED
      case 404: return 12; // UNIMPLEMENTED
      case 429:
      case 502:
      case 503:
      case 504: return 14; // UNAVAILABLE
      default: return 2; // UNKNOWN
    }
  }
}
