package dev.egret.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {
  @Test
  void issuedLeafIsSignedByCaAndCarriesSans(@TempDir Path dir) throws Exception {
    TestPki.Ca ca = TestPki.newCa("ca");
    TestPki.Issued leaf = ca.issue("leaf", List.of("a.example.com"),
        List.of("spiffe://cluster.local/ns/default/sa/test"), List.of("127.0.0.1"), Duration.ofDays(1));
    leaf.cert().verify(ca.cert().getPublicKey());
    leaf.cert().checkValidity();
    assertThat(leaf.cert().getSubjectAlternativeNames()).hasSize(3);
    TestPki.PemFiles files = leaf.writePem(dir);
    assertThat(Files.readString(files.certChain())).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Files.readString(files.key())).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(ca.writePem(dir))).isEqualTo(ca.certPem());
  }

  @Test
  void negativeValidityGivesExpiredCertificate() {
    TestPki.Issued leaf = TestPki.newCa("ca").issue("old", List.of("x"), List.of(), List.of(),
        Duration.ofDays(-1));
    assertThatThrownBy(() -> leaf.cert().checkValidity()).isInstanceOf(CertificateExpiredException.class);
  }
}
