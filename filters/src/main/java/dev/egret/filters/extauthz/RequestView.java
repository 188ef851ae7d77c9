package dev.egret.filters.extauthz;

import dev.egret.core.http.ConnectionInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The request as an authorization server sees it: Envoy-style header names (lower case, pseudo-headers
 * {@code :authority}, {@code :method}, {@code :path}, {@code :scheme} first), repeated headers joined
 * with {@code ,}, bytes that are not UTF-8 replaced by {@code !}. Netty's own {@code x-http2-*}
 * bookkeeping headers and a client-sent {@code x-envoy-auth-partial-body} never appear.
 */
final class RequestView {
  static final String PARTIAL_BODY_HEADER = "x-envoy-auth-partial-body";

  private RequestView() {}

  /** {@code :scheme}: what an HTTP/2 client sent, else the connection's. */
  static String scheme(HttpRequest request, ConnectionInfo connection) {
    String s = request.headers().get(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
    return s != null ? s : connection.tls() ? "https" : "http";
  }

  /** The request headers whose (lower-case) names {@code include} accepts, in Envoy's naming. */
  static Map<String, String> headers(HttpRequest request, ConnectionInfo connection, Predicate<String> include) {
    Map<String, String> out = new LinkedHashMap<>();
    HttpHeaders h = request.headers();
    putIf(out, include, ":authority", h.get(HttpHeaderNames.HOST));
    putIf(out, include, ":method", request.method().name());
    putIf(out, include, ":path", request.uri());
    putIf(out, include, ":scheme", scheme(request, connection));
    for (String raw : h.names()) {
      String name = raw.toLowerCase(Locale.ROOT);
      if (name.equals("host") || name.startsWith("x-http2-") || name.equals(PARTIAL_BODY_HEADER)
          || out.containsKey(name) || !include.test(name)) {
        continue;
      }
      out.put(name, utf8(String.join(",", h.getAll(raw))));
    }
    return out;
  }

  private static void putIf(Map<String, String> out, Predicate<String> include, String name, String value) {
    if (value != null && include.test(name)) {
      out.put(name, utf8(value));
    }
  }

  /**
   * A header value as UTF-8 text: Netty holds header bytes as ISO-8859-1 characters; bytes that do
   * not form UTF-8 become {@code !}.
   */
  static String utf8(String latin1) {
    boolean ascii = true;
    for (int i = 0; i < latin1.length() && ascii; i++) {
      ascii = latin1.charAt(i) < 0x80;
    }
    if (ascii) {
      return latin1;
    }
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .replaceWith("!");
    try {
      CharBuffer c = d.decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1)));
      return c.toString();
    } catch (CharacterCodingException e) {
      return latin1; // not reached: REPLACE never throws
    }
  }
}
