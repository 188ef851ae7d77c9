package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.TestPki;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardClientCertTest {
  private static final TestPki.Ca CA = TestPki.newCa("xfcc root");
  private static final TestPki.Issued CLIENT = CA.issue("client", List.of("client.example"),
      List.of("spiffe://cluster.local/ns/a/sa/client"), List.of());
  private static final PeerCertificate PEER = new PeerCertificate(List.of(CLIENT.cert(), CLIENT.issuer()),
      List.of("spiffe://cluster.local/ns/w/sa/waypoint"));

  private static HttpHeaders headers(String xfcc) {
    HttpHeaders h = new DefaultHttpHeaders();
    if (xfcc != null) {
      h.set(ForwardClientCert.HEADER, xfcc);
    }
    return h;
  }

  private static ForwardClientCert of(ForwardClientCert.Mode mode) {
    return new ForwardClientCert(mode, true, false, false, true, true);
  }

  @Test
  void elementHasByHashSubjectUriDnsInEnvoysOrder() throws Exception {
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CLIENT.cert().getEncoded()));
    assertThat(of(ForwardClientCert.Mode.SANITIZE_SET).element(PEER)).isEqualTo(
        "By=spiffe://cluster.local/ns/w/sa/waypoint;Hash=" + hash + ";Subject=\"CN=client\""
            + ";URI=spiffe://cluster.local/ns/a/sa/client;DNS=client.example");
  }

  @Test
  void appendForwardAppendsAfterACommaAndSanitizeSetReplaces() {
    HttpHeaders h = headers("By=upstream;Hash=00");
    of(ForwardClientCert.Mode.APPEND_FORWARD).apply(h, PEER);
    assertThat(h.get(ForwardClientCert.HEADER)).startsWith("By=upstream;Hash=00,By=spiffe://cluster.local/ns/w/");
    HttpHeaders s = headers("By=forged");
    of(ForwardClientCert.Mode.SANITIZE_SET).apply(s, PEER);
    assertThat(s.get(ForwardClientCert.HEADER)).startsWith("By=spiffe://").doesNotContain("forged");
  }

  @Test
  void withoutAClientCertificateOnlyAlwaysForwardOnlyKeepsTheHeader() {
    for (ForwardClientCert.Mode m : ForwardClientCert.Mode.values()) {
      HttpHeaders h = headers("By=forged");
      of(m).apply(h, null);
      assertThat(h.get(ForwardClientCert.HEADER)).as(m.name())
          .isEqualTo(m == ForwardClientCert.Mode.ALWAYS_FORWARD_ONLY ? "By=forged" : null);
    }
    HttpHeaders fwd = headers("By=client-sent");
    of(ForwardClientCert.Mode.FORWARD_ONLY).apply(fwd, PEER);
    assertThat(fwd.get(ForwardClientCert.HEADER)).isEqualTo("By=client-sent");
    HttpHeaders san = headers("By=client-sent");
    ForwardClientCert.SANITIZE.apply(san, PEER);
    assertThat(san.contains(ForwardClientCert.HEADER)).isFalse();
  }

  @Test
  void certAndChainAreUrlEncodedPemAndAnEmptyUriListStillWritesUriKey() {
    TestPki.Issued noSans = CA.issue("plain", List.of(), List.of(), List.of());
    PeerCertificate peer = new PeerCertificate(List.of(noSans.cert(), noSans.issuer()), List.of());
    String e = new ForwardClientCert(ForwardClientCert.Mode.SANITIZE_SET, false, true, true, true, true).element(peer);
    assertThat(e).startsWith("Hash=").contains(";Cert=\"-----BEGIN%20CERTIFICATE-----%0A")
        .contains(";Chain=\"-----BEGIN%20CERTIFICATE-----%0A").endsWith(";URI=").doesNotContain("DNS=");
    String chain = e.substring(e.indexOf("Chain=\""));
    assertThat(chain.split("BEGIN%20CERTIFICATE", -1)).hasSize(3); // leaf and issuer
  }
}
