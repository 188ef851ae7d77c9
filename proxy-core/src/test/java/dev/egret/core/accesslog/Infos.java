package dev.egret.core.accesslog;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;

/** Test helpers: StreamInfos and compiled formats. */
final class Infos {
  private Infos() {}

  /** A stream that started at {@code iso} and lasted {@code durationMs}. */
  static StreamInfo at(String iso, long durationMs) {
    StreamInfo info = new StreamInfo(Instant.parse(iso).toEpochMilli(), 1_000_000_000L);
    if (durationMs >= 0) {
      info.markEnd(1_000_000_000L + durationMs * 1_000_000L);
    }
    return info;
  }

  static HttpRequest request(HttpMethod method, String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    add(r.headers(), headers);
    return r;
  }

  static HttpResponse response(int status, String... headers) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    add(r.headers(), headers);
    return r;
  }

  static HttpHeaders headers(String... headers) {
    HttpHeaders h = new DefaultHttpHeaders();
    add(h, headers);
    return h;
  }

  private static void add(HttpHeaders h, String... kv) {
    for (int i = 0; i < kv.length; i += 2) {
      h.add(kv[i], kv[i + 1]);
    }
  }

  static InetSocketAddress addr(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Compiles a text format that must be valid. */
  static AccessLogFormat text(String format) {
    ConfigPath at = ConfigPath.root("format");
    AccessLogFormat f = AccessLogFormat.compileText(format, at);
    if (f == null) {
      throw new AssertionError(at.errors().toString());
    }
    return f;
  }
}
