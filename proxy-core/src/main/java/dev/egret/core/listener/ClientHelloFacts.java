package dev.egret.core.listener;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a TLS ClientHello tells before any handshake: the server name (SNI) and the offered ALPN
 * protocols. Parsed from the ClientHello body (from {@code client_version} on), bounds-checked at every
 * step; a malformed hello yields no facts rather than an exception.
 *
 * @param sni  lower-cased server name, or null
 * @param alpn offered protocols in the client's order
 */
public record ClientHelloFacts(String sni, List<String> alpn) {
  public static final ClientHelloFacts NONE = new ClientHelloFacts(null, List.of());

  private static final int EXT_SERVER_NAME = 0;
  private static final int EXT_ALPN = 16;

  public static ClientHelloFacts parse(ByteBuf hello) {
    try {
      return parse0(hello);
    } catch (IndexOutOfBoundsException e) {
      return NONE;
    }
  }

  private static ClientHelloFacts parse0(ByteBuf b) {
    int p = b.readerIndex();
    int end = b.writerIndex();
    p += 2 + 32; // client_version, random
    p += 1 + b.getUnsignedByte(p); // session_id
    p += 2 + b.getUnsignedShort(p); // cipher_suites
    p += 1 + b.getUnsignedByte(p); // compression_methods
    if (p + 2 > end) {
      return NONE;
    }
    int extEnd = Math.min(end, p + 2 + b.getUnsignedShort(p));
    p += 2;
    String sni = null;
    List<String> alpn = new ArrayList<>(2);
    while (p + 4 <= extEnd) {
      int type = b.getUnsignedShort(p);
      int len = b.getUnsignedShort(p + 2);
      int body = p + 4;
      if (body + len > extEnd) {
        break;
      }
      if (type == EXT_SERVER_NAME && len >= 5) {
        int q = body + 2; // server_name_list length
        if (b.getUnsignedByte(q) == 0) { // host_name
          int nameLen = b.getUnsignedShort(q + 1);
          if (q + 3 + nameLen <= body + len) {
            sni = b.toString(q + 3, nameLen, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
          }
        }
      } else if (type == EXT_ALPN && len >= 2) {
        int q = body + 2;
        int listEnd = Math.min(body + len, q + b.getUnsignedShort(body));
        while (q < listEnd) {
          int n = b.getUnsignedByte(q);
          if (q + 1 + n > listEnd) {
            break;
          }
          alpn.add(b.toString(q + 1, n, StandardCharsets.US_ASCII));
          q += 1 + n;
        }
      }
      p = body + len;
    }
    return new ClientHelloFacts(sni, List.copyOf(alpn));
  }
}
