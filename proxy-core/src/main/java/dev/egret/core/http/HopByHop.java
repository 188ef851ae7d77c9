package dev.egret.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * Removes the headers that describe one hop rather than the message (RFC 9110 §7.6.1), in both
 * directions: {@code connection} and every header it names, {@code keep-alive},
 * {@code proxy-connection}, {@code transfer-encoding}, {@code upgrade}, {@code http2-settings}, and
 * {@code te} unless it is exactly {@code trailers}. Also drops Netty's HTTP/2 conversion headers
 * ({@code x-http2-*}) that must never reach a peer.
 */
public final class HopByHop {
  private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSIONS =
      HttpConversionUtil.ExtensionHeaderNames.values(); // values() copies the array on every call

  private HopByHop() {}

  public static void strip(HttpHeaders headers) {
    List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
    for (String value : connection) {
      for (String token : value.split(",")) {
        String name = token.trim();
        if (!name.isEmpty()) {
          headers.remove(name);
        }
      }
    }
    headers.remove(HttpHeaderNames.CONNECTION);
    headers.remove(HttpHeaderNames.KEEP_ALIVE);
    headers.remove("proxy-connection");
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.remove(HttpHeaderNames.UPGRADE);
    headers.remove("http2-settings");
    String te = headers.get(HttpHeaderNames.TE);
    if (te != null && !HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim())) {
      headers.remove(HttpHeaderNames.TE);
    }
    stripHttp2Extensions(headers);
  }

  /** Netty's HTTP/2 ⇄ HTTP/1 conversion headers (x-http2-scheme, x-http2-stream-id, …). */
  public static void stripHttp2Extensions(HttpHeaders headers) {
    for (HttpConversionUtil.ExtensionHeaderNames n : EXTENSIONS) {
      headers.remove(n.text());
    }
  }
}
