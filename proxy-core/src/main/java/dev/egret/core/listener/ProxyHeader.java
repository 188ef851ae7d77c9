package dev.egret.core.listener;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A parsed PROXY protocol header.
 *
 * @param version     1 or 2
 * @param local       true for a v2 {@code LOCAL} command, v1 {@code UNKNOWN}, or an unspecified
 *                    address family: the connection's real addresses stay
 * @param source      the original client address; null when {@code local}
 * @param destination the address the client connected to; null when {@code local}
 * @param tlvs        v2 type-length-value extensions in header order (empty for v1)
 * @param length      the header's length in bytes
 */
public record ProxyHeader(int version, boolean local, InetSocketAddress source, InetSocketAddress destination,
    List<Tlv> tlvs, int length) {

  public ProxyHeader {
    tlvs = List.copyOf(tlvs);
  }

  /** One v2 TLV: its type byte (0..255) and value. */
  public record Tlv(int type, byte[] value) {
    public Tlv {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    /** The value as UTF-8 text (Istio's 0xD0 is a SPIFFE id). */
    public String text() {
      return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
