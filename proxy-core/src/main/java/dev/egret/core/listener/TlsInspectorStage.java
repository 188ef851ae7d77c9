package dev.egret.core.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Envoy's {@code tls_inspector}: peeks at the first bytes of a connection and, when they are a TLS
 * ClientHello, sets the transport protocol {@code tls}, the server name (SNI) and the offered ALPN
 * protocols. A ClientHello split over several TLS records is reassembled (in a copy; the connection's
 * bytes are not consumed). Bytes that are not a TLS handshake leave the facts unchanged, so the
 * transport stays {@code raw_buffer}. The ClientHello is bounded at {@value #MAX_CLIENT_HELLO} bytes
 * (hardening.md §9.3); a larger or malformed one is treated as not TLS.
 */
final class TlsInspectorStage implements ListenerFilterStage {
  static final TlsInspectorStage INSTANCE = new TlsInspectorStage();
  static final int MAX_CLIENT_HELLO = 64 * 1024;
  private static final int RECORD_HEADER = 5;
  private static final int CONTENT_HANDSHAKE = 22;
  private static final int CLIENT_HELLO = 1;

  private TlsInspectorStage() {}

  @Override
  public String name() {
    return "envoy.filters.listener.tls_inspector";
  }

  @Override
  public Result onAccept(ConnectionFacts facts) {
    return Result.NEED_DATA;
  }

  @Override
  public Result onData(ByteBuf b, ConnectionFacts facts, boolean endOfStream) {
    int start = b.readerIndex();
    int end = b.writerIndex();
    if (end - start < 1) {
      return endOfStream ? Result.CONTINUE : Result.NEED_DATA;
    }
    if (b.getUnsignedByte(start) != CONTENT_HANDSHAKE || (end - start >= 2 && b.getUnsignedByte(start + 1) != 3)) {
      return Result.CONTINUE; // not TLS
    }
    // Gather the handshake fragments of consecutive records until the ClientHello is complete.
    int p = start;
    int gathered = 0;
    int helloLength = -1;
    while (true) {
      if (p + RECORD_HEADER > end) {
        return endOfStream ? Result.CONTINUE : Result.NEED_DATA;
      }
      if (b.getUnsignedByte(p) != CONTENT_HANDSHAKE || b.getUnsignedByte(p + 1) != 3) {
        return Result.CONTINUE;
      }
      int len = b.getUnsignedShort(p + 3);
      if (p + RECORD_HEADER + len > end) {
        if (gathered + (end - p) > MAX_CLIENT_HELLO + RECORD_HEADER * 16) {
          return Result.CONTINUE;
        }
        return endOfStream ? Result.CONTINUE : Result.NEED_DATA;
      }
      gathered += len;
      p += RECORD_HEADER + len;
      if (helloLength < 0 && gathered >= 4) {
        int first = start + RECORD_HEADER; // the handshake header is at the start of the first fragment
        if (b.getUnsignedShort(start + 3) < 4) {
          return Result.CONTINUE; // a header split across records: not something clients send
        }
        if (b.getUnsignedByte(first) != CLIENT_HELLO) {
          return Result.CONTINUE;
        }
        helloLength = b.getUnsignedMedium(first + 1);
        if (helloLength > MAX_CLIENT_HELLO) {
          return Result.CONTINUE;
        }
      }
      if (helloLength >= 0 && gathered >= 4 + helloLength) {
        break;
      }
      if (gathered > MAX_CLIENT_HELLO + 4) {
        return Result.CONTINUE;
      }
    }
    ClientHelloFacts hello = ClientHelloFacts.parse(body(b, start, p, helloLength));
    facts.setTransportProtocol("tls");
    facts.setServerName(hello.sni());
    facts.setApplicationProtocols(hello.alpn());
    return Result.CONTINUE;
  }

  /** The ClientHello body (from client_version on) of the records between {@code start} and {@code end}. */
  private static ByteBuf body(ByteBuf b, int start, int end, int helloLength) {
    int firstLen = b.getUnsignedShort(start + 3);
    if (firstLen >= 4 + helloLength) {
      return b.slice(start + RECORD_HEADER + 4, helloLength);
    }
    ByteBuf out = Unpooled.buffer(4 + helloLength);
    for (int p = start; p < end; ) {
      int len = b.getUnsignedShort(p + 3);
      out.writeBytes(b, p + RECORD_HEADER, len);
      p += RECORD_HEADER + len;
    }
    return out.slice(4, helloLength);
  }
}
