package dev.egret.core.listener;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses PROXY protocol v1 (text) and v2 (binary) headers from the first bytes of a connection, per
 * the HAProxy specification, without consuming anything. Bounded: a v1 line is at most
 * {@value #V1_MAX} bytes including CRLF; a v2 header at most 16 + 65,535 bytes (its length field).
 * Each call looks at everything received so far and says whether a header is complete, still
 * arriving, absent, or malformed.
 */
public final class ProxyProtocolParser {
  static final int V1_MAX = 107;
  private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  private static final int V2_HEADER = 16;

  /** What the bytes so far are. */
  public sealed interface Result {}

  /** More bytes are needed to decide. */
  public record Incomplete() implements Result {}

  /** The bytes do not start with a PROXY header. */
  public record Absent() implements Result {}

  /** A header of {@code version} that is malformed. */
  public record Malformed(int version, String reason) implements Result {}

  /** A complete header. */
  public record Parsed(ProxyHeader header) implements Result {}

  private static final Incomplete INCOMPLETE = new Incomplete();
  private static final Absent ABSENT = new Absent();

  private ProxyProtocolParser() {}

  /** Looks at the readable bytes of {@code b} (reader index untouched). */
  public static Result parse(ByteBuf b) {
    int n = b.readableBytes();
    int start = b.readerIndex();
    if (prefixMatches(b, start, n, V2_SIGNATURE)) {
      return n < V2_SIGNATURE.length ? INCOMPLETE : parseV2(b, start, n);
    }
    if (prefixMatches(b, start, n, V1_PREFIX)) {
      return n < V1_PREFIX.length ? INCOMPLETE : parseV1(b, start, n);
    }
    return ABSENT;
  }

  private static boolean prefixMatches(ByteBuf b, int start, int n, byte[] prefix) {
    int m = Math.min(n, prefix.length);
    for (int i = 0; i < m; i++) {
      if (b.getByte(start + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- v1

  private static Result parseV1(ByteBuf b, int start, int n) {
    int limit = Math.min(n, V1_MAX);
    int lf = -1;
    for (int i = 0; i < limit; i++) {
      if (b.getByte(start + i) == '\n') {
        lf = i;
        break;
      }
    }
    if (lf < 0) {
      return n >= V1_MAX ? new Malformed(1, "v1 header longer than " + V1_MAX + " bytes") : INCOMPLETE;
    }
    if (lf == 0 || b.getByte(start + lf - 1) != '\r') {
      return new Malformed(1, "v1 header does not end with CRLF");
    }
    String line = b.toString(start, lf - 1, StandardCharsets.US_ASCII);
    String[] parts = line.split(" ", -1);
    int length = lf + 1;
    if (parts.length >= 2 && parts[1].equals("UNKNOWN")) {
      return new Parsed(new ProxyHeader(1, true, null, null, List.of(), length));
    }
    if (parts.length != 6) {
      return new Malformed(1, "v1 header needs 'PROXY TCP4|TCP6 src dst sport dport'");
    }
    boolean v4 = parts[1].equals("TCP4");
    if (!v4 && !parts[1].equals("TCP6")) {
      return new Malformed(1, "v1 protocol '" + parts[1] + "' is not TCP4, TCP6 or UNKNOWN");
    }
    InetAddress src = v1Address(parts[2], v4);
    InetAddress dst = v1Address(parts[3], v4);
    int sport = v1Port(parts[4]);
    int dport = v1Port(parts[5]);
    if (src == null || dst == null) {
      return new Malformed(1, "v1 address is not a valid " + parts[1] + " address");
    }
    if (sport < 0 || dport < 0) {
      return new Malformed(1, "v1 port is not a number from 0 to 65535");
    }
    return new Parsed(new ProxyHeader(1, false, new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport),
        List.of(), length));
  }

  private static InetAddress v1Address(String s, boolean v4) {
    boolean valid = v4 ? io.netty.util.NetUtil.isValidIpV4Address(s) : io.netty.util.NetUtil.isValidIpV6Address(s);
    if (!valid) {
      return null;
    }
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(s);
    if (bytes == null || bytes.length != (v4 ? 4 : 16)) {
      return null;
    }
    return address(bytes);
  }

  private static int v1Port(String s) {
    if (s.length() > 1 && s.charAt(0) == '0') {
      return -1; // the specification forbids leading zeros
    }
    return IpPort.parsePort(s);
  }

  // ---------------------------------------------------------------- v2

  private static Result parseV2(ByteBuf b, int start, int n) {
    if (n < V2_HEADER) {
      return INCOMPLETE;
    }
    int verCmd = b.getUnsignedByte(start + 12);
    if ((verCmd >> 4) != 2) {
      return new Malformed(2, "v2 version " + (verCmd >> 4) + " is not 2");
    }
    int command = verCmd & 0x0F;
    if (command > 1) {
      return new Malformed(2, "v2 command " + command + " is neither LOCAL nor PROXY");
    }
    int famProto = b.getUnsignedByte(start + 13);
    int family = famProto >> 4;
    int transport = famProto & 0x0F;
    int len = b.getUnsignedShort(start + 14);
    int total = V2_HEADER + len;
    if (n < total) {
      return INCOMPLETE;
    }
    if (family > 3 || transport > 2) {
      return new Malformed(2, "v2 address family/transport 0x" + Integer.toHexString(famProto) + " is unknown");
    }
    if (command == 0) { // LOCAL: health checks from the proxy itself; the real addresses stay
      return new Parsed(new ProxyHeader(2, true, null, null, List.of(), total));
    }
    int p = start + V2_HEADER;
    int end = start + total;
    InetSocketAddress src = null;
    InetSocketAddress dst = null;
    switch (family) {
      case 0 -> { } // UNSPEC: the receiver keeps the real addresses
      case 1, 2 -> {
        int ipLen = family == 1 ? 4 : 16;
        if (len < 2 * ipLen + 4) {
          return new Malformed(2, "v2 length " + len + " is shorter than the " + (family == 1 ? "IPv4" : "IPv6")
              + " address block");
        }
        byte[] s = new byte[ipLen];
        byte[] d = new byte[ipLen];
        b.getBytes(p, s);
        b.getBytes(p + ipLen, d);
        int sport = b.getUnsignedShort(p + 2 * ipLen);
        int dport = b.getUnsignedShort(p + 2 * ipLen + 2);
        src = new InetSocketAddress(address(s), sport);
        dst = new InetSocketAddress(address(d), dport);
        p += 2 * ipLen + 4;
      }
      default -> {
        return new Malformed(2, "v2 address family AF_UNIX is not supported");
      }
    }
    if (family == 0) {
      return new Parsed(new ProxyHeader(2, true, null, null, List.of(), total));
    }
    List<ProxyHeader.Tlv> tlvs = new ArrayList<>();
    while (p < end) {
      if (p + 3 > end) {
        return new Malformed(2, "v2 TLV header truncated");
      }
      int type = b.getUnsignedByte(p);
      int tlen = b.getUnsignedShort(p + 1);
      if (p + 3 + tlen > end) {
        return new Malformed(2, "v2 TLV 0x" + Integer.toHexString(type) + " of length " + tlen + " overruns the header");
      }
      byte[] v = new byte[tlen];
      b.getBytes(p + 3, v);
      tlvs.add(new ProxyHeader.Tlv(type, v));
      p += 3 + tlen;
    }
    return new Parsed(new ProxyHeader(2, false, src, dst, tlvs, total));
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // only for a wrong length, which callers exclude
    }
  }
}
