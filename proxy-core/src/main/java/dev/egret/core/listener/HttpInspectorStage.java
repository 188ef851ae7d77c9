package dev.egret.core.listener;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Envoy's {@code http_inspector}: peeks at the first bytes of a cleartext connection and, when they
 * are the HTTP/2 connection preface, sets the application protocol {@code h2c}; when they are an
 * HTTP/1 request line ({@code METHOD SP target SP HTTP/1.x}), {@code http/1.1} or {@code http/1.0}.
 * Anything else sets nothing. A connection a previous filter found to be TLS is left alone. At most
 * {@value #MAX_PEEK} bytes are inspected; nothing is consumed.
 */
final class HttpInspectorStage implements ListenerFilterStage {
  static final HttpInspectorStage INSTANCE = new HttpInspectorStage();
  static final int MAX_PEEK = 8 * 1024;
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private HttpInspectorStage() {}

  @Override
  public String name() {
    return "envoy.filters.listener.http_inspector";
  }

  @Override
  public Result onAccept(ConnectionFacts facts) {
    return "tls".equals(facts.transportProtocol()) ? Result.CONTINUE : Result.NEED_DATA;
  }

  @Override
  public Result onData(ByteBuf b, ConnectionFacts facts, boolean endOfStream) {
    int start = b.readerIndex();
    int n = Math.min(b.readableBytes(), MAX_PEEK);
    // HTTP/2 prior knowledge
    int p = Math.min(n, PREFACE.length);
    boolean prefacePrefix = true;
    for (int i = 0; i < p; i++) {
      if (b.getByte(start + i) != PREFACE[i]) {
        prefacePrefix = false;
        break;
      }
    }
    if (prefacePrefix && p == PREFACE.length) {
      facts.setApplicationProtocols(List.of("h2c"));
      return Result.CONTINUE;
    }
    if (prefacePrefix) {
      return endOfStream ? Result.CONTINUE : Result.NEED_DATA; // could still be the preface
    }
    // HTTP/1 request line: METHOD SP target SP HTTP/1.x CRLF
    int i = 0;
    while (i < n && isTokenChar(b.getByte(start + i))) {
      i++;
    }
    if (i == n) {
      return waitOrGiveUp(n, endOfStream);
    }
    if (i == 0 || b.getByte(start + i) != ' ') {
      return Result.CONTINUE;
    }
    i++;
    int targetStart = i;
    while (i < n && b.getByte(start + i) > ' ' && b.getByte(start + i) < 0x7f) {
      i++;
    }
    if (i == n) {
      return waitOrGiveUp(n, endOfStream);
    }
    if (i == targetStart || b.getByte(start + i) != ' ') {
      return Result.CONTINUE;
    }
    i++;
    int versionStart = i;
    while (i < n && b.getByte(start + i) != '\r' && b.getByte(start + i) != '\n') {
      i++;
    }
    if (i == n) {
      return i - versionStart > 8 ? Result.CONTINUE : waitOrGiveUp(n, endOfStream);
    }
    String version = b.toString(start + versionStart, i - versionStart, java.nio.charset.StandardCharsets.US_ASCII);
    if (version.equals("HTTP/1.1")) {
      facts.setApplicationProtocols(List.of("http/1.1"));
    } else if (version.equals("HTTP/1.0")) {
      facts.setApplicationProtocols(List.of("http/1.0"));
    }
    return Result.CONTINUE;
  }

  private static Result waitOrGiveUp(int n, boolean endOfStream) {
    return endOfStream || n >= MAX_PEEK ? Result.CONTINUE : Result.NEED_DATA;
  }

  private static boolean isTokenChar(byte c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
