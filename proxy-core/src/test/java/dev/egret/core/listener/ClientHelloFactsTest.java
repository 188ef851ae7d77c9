package dev.egret.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class ClientHelloFactsTest {
  /** A real ClientHello from the JDK's TLS stack, as the bytes after the record and handshake headers. */
  private static ByteBuf clientHello(String sni, String... alpn) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, null, null);
    SSLEngine engine = ctx.createSSLEngine(sni, 443);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    if (sni != null) {
      p.setServerNames(List.of(new SNIHostName(sni)));
    }
    p.setApplicationProtocols(alpn);
    engine.setSSLParameters(p);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    ByteBuf record = Unpooled.wrappedBuffer(out);
    assertThat(record.getUnsignedByte(0)).isEqualTo((short) 22); // handshake record
    assertThat(record.getUnsignedByte(5)).isEqualTo((short) 1); // ClientHello
    return record.slice(9, record.readableBytes() - 9);
  }

  @Test
  void readsServerNameAndAlpnFromARealClientHello() throws Exception {
    ClientHelloFacts f = ClientHelloFacts.parse(clientHello("API.Example.com", "h2", "http/1.1"));
    assertThat(f.sni()).isEqualTo("api.example.com");
    assertThat(f.alpn()).containsExactly("h2", "http/1.1");
  }

  @Test
  void helloWithoutExtensionsOfInterestGivesNoFacts() throws Exception {
    ClientHelloFacts f = ClientHelloFacts.parse(clientHello(null));
    assertThat(f.sni()).isNull();
    assertThat(f.alpn()).isEmpty();
  }

  @Test
  void truncatedHelloDoesNotThrow() throws Exception {
    ByteBuf full = clientHello("a.example.com", "h2");
    for (int len = 0; len < full.readableBytes(); len += 7) {
      ClientHelloFacts f = ClientHelloFacts.parse(full.slice(0, len));
      assertThat(f).isNotNull();
    }
  }
}
