package dev.egret.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProxyProtocolParserTest {
  static final byte[] SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  /** A v2 PROXY/STREAM header for IPv4 with the given TLVs (type, value) appended. */
  static ByteBuf v2Inet(String src, int sport, String dst, int dport, Object... tlvs) {
    ByteBuf b = Unpooled.buffer();
    b.writeBytes(SIG).writeByte(0x21).writeByte(0x11);
    int lenAt = b.writerIndex();
    b.writeShort(0);
    b.writeBytes(ip(src)).writeBytes(ip(dst)).writeShort(sport).writeShort(dport);
    for (int i = 0; i < tlvs.length; i += 2) {
      byte[] v = ((String) tlvs[i + 1]).getBytes(StandardCharsets.UTF_8);
      b.writeByte((Integer) tlvs[i]).writeShort(v.length).writeBytes(v);
    }
    b.setShort(lenAt, b.writerIndex() - 16);
    return b;
  }

  static byte[] ip(String s) {
    return io.netty.util.NetUtil.createByteArrayFromIpAddressString(s);
  }

  private static ProxyHeader parsed(ByteBuf b) {
    ProxyProtocolParser.Result r = ProxyProtocolParser.parse(b);
    assertThat(r).isInstanceOf(ProxyProtocolParser.Parsed.class);
    return ((ProxyProtocolParser.Parsed) r).header();
  }

  private static String malformed(ByteBuf b) {
    ProxyProtocolParser.Result r = ProxyProtocolParser.parse(b);
    assertThat(r).isInstanceOf(ProxyProtocolParser.Malformed.class);
    return ((ProxyProtocolParser.Malformed) r).reason();
  }

  @Test
  void v2Ipv4WithSpiffeTlvGivesAddressesAndTlv() {
    ByteBuf b = v2Inet("10.1.2.3", 40000, "10.96.0.10", 8080, 0xD0, "spiffe://cluster.local/ns/a/sa/b");
    b.writeBytes("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
    ProxyHeader h = parsed(b);
    assertThat(h.version()).isEqualTo(2);
    assertThat(h.local()).isFalse();
    assertThat(h.source()).isEqualTo(new InetSocketAddress("10.1.2.3", 40000));
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("10.96.0.10", 8080));
    assertThat(h.tlvs()).singleElement().satisfies(t -> {
      assertThat(t.type()).isEqualTo(0xD0);
      assertThat(t.text()).isEqualTo("spiffe://cluster.local/ns/a/sa/b");
    });
    assertThat(h.length()).isEqualTo(16 + 12 + 3 + 32);
    assertThat(b.readerIndex()).isZero(); // parsing consumes nothing
  }

  @Test
  void v2Ipv6() {
    ByteBuf b = Unpooled.buffer();
    b.writeBytes(SIG).writeByte(0x21).writeByte(0x21).writeShort(36);
    b.writeBytes(ip("2001:db8::1")).writeBytes(ip("fd00::5")).writeShort(1234).writeShort(443);
    ProxyHeader h = parsed(b);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 1234));
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("fd00::5", 443));
    assertThat(h.tlvs()).isEmpty();
  }

  @Test
  void v2LocalCommandKeepsRealAddresses() {
    ByteBuf b = Unpooled.buffer();
    b.writeBytes(SIG).writeByte(0x20).writeByte(0x00).writeShort(0);
    ProxyHeader h = parsed(b);
    assertThat(h.local()).isTrue();
    assertThat(h.source()).isNull();
    assertThat(h.length()).isEqualTo(16);
  }

  @Test
  void v2TruncatedIsIncompleteUntilTheDeclaredLengthArrives() {
    ByteBuf full = v2Inet("10.0.0.1", 1, "10.0.0.2", 2, 0xD0, "spiffe://td/ns/x/sa/y");
    for (int n = 1; n < full.readableBytes(); n++) {
      assertThat(ProxyProtocolParser.parse(full.slice(0, n))).as("first %d bytes", n)
          .isInstanceOf(ProxyProtocolParser.Incomplete.class);
    }
    assertThat(ProxyProtocolParser.parse(full)).isInstanceOf(ProxyProtocolParser.Parsed.class);
  }

  @Test
  void v2BadVersionCommandAndTlvOverrunAreMalformed() {
    ByteBuf badVersion = v2Inet("10.0.0.1", 1, "10.0.0.2", 2);
    badVersion.setByte(12, 0x31);
    assertThat(malformed(badVersion)).contains("version 3");
    ByteBuf badCommand = v2Inet("10.0.0.1", 1, "10.0.0.2", 2);
    badCommand.setByte(12, 0x22);
    assertThat(malformed(badCommand)).contains("command 2");
    ByteBuf overrun = v2Inet("10.0.0.1", 1, "10.0.0.2", 2, 0xD0, "abc");
    overrun.setShort(16 + 12 + 1, 200); // TLV claims 200 bytes inside a 15-byte block
    assertThat(malformed(overrun)).contains("overruns");
    ByteBuf shortBlock = Unpooled.buffer();
    shortBlock.writeBytes(SIG).writeByte(0x21).writeByte(0x11).writeShort(4).writeInt(0);
    assertThat(malformed(shortBlock)).contains("shorter than the IPv4 address block");
    ByteBuf unix = Unpooled.buffer();
    unix.writeBytes(SIG).writeByte(0x21).writeByte(0x31).writeShort(216).writeZero(216);
    assertThat(malformed(unix)).contains("AF_UNIX");
  }

  @Test
  void badSignatureIsAbsent() {
    ByteBuf b = Unpooled.copiedBuffer("\r\n\r\n\0\r\nQUIX\n", StandardCharsets.ISO_8859_1);
    assertThat(ProxyProtocolParser.parse(b)).isInstanceOf(ProxyProtocolParser.Absent.class);
    assertThat(ProxyProtocolParser.parse(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII)))
        .isInstanceOf(ProxyProtocolParser.Absent.class);
  }

  @Test
  void v1Tcp4AndTcp6AndUnknown() {
    ProxyHeader h = parsed(Unpooled.copiedBuffer("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET",
        StandardCharsets.US_ASCII));
    assertThat(h.version()).isEqualTo(1);
    assertThat(h.source()).isEqualTo(new InetSocketAddress("192.168.0.1", 56324));
    assertThat(h.destination()).isEqualTo(new InetSocketAddress("192.168.0.11", 443));
    assertThat(h.length()).isEqualTo("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n".length());
    ProxyHeader six = parsed(Unpooled.copiedBuffer("PROXY TCP6 2001:db8::1 ::1 1 2\r\n", StandardCharsets.US_ASCII));
    assertThat(six.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 1));
    ProxyHeader unknown = parsed(Unpooled.copiedBuffer("PROXY UNKNOWN\r\n", StandardCharsets.US_ASCII));
    assertThat(unknown.local()).isTrue();
  }

  @Test
  void v1MalformedLines() {
    assertThat(malformed(Unpooled.copiedBuffer("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", StandardCharsets.US_ASCII)))
        .contains("CRLF");
    assertThat(malformed(Unpooled.copiedBuffer("PROXY TCP4 1.2.3.4 ::1 1 2\r\n", StandardCharsets.US_ASCII)))
        .contains("address");
    assertThat(malformed(Unpooled.copiedBuffer("PROXY TCP4 1.2.3.4 5.6.7.8 1 70000\r\n", StandardCharsets.US_ASCII)))
        .contains("port");
    assertThat(malformed(Unpooled.copiedBuffer("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", StandardCharsets.US_ASCII)))
        .contains("UDP4");
    assertThat(malformed(Unpooled.copiedBuffer("PROXY TCP4 " + "1".repeat(120), StandardCharsets.US_ASCII)))
        .contains("longer than 107");
    assertThat(ProxyProtocolParser.parse(Unpooled.copiedBuffer("PROXY TCP4 1.2", StandardCharsets.US_ASCII)))
        .isInstanceOf(ProxyProtocolParser.Incomplete.class);
  }
}
