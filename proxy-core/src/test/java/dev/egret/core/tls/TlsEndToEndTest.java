package dev.egret.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.testing.RefusedPort;
import dev.egret.core.testing.TestPki;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes over 127.0.0.1 between {@link UpstreamTls} clients and {@link DownstreamTls} servers. */
class TlsEndToEndTest {
  private static final String VERIFY = "TLS_error:|268435581:SSL routines:OPENSSL_internal:"
      + "CERTIFICATE_VERIFY_FAILED:verify cert failed: ";
  private static final String SPIFFE = "spiffe://cluster.local/ns/default/sa/test";

  @TempDir static Path dir;
  static TlsHarness harness;
  static TestPki.Ca ca;
  static TestPki.Ca otherCa;
  static TestPki.PemFiles serverPem;
  static Path caFile;
  static Path otherCaFile;

  @BeforeAll
  static void setUp() {
    harness = new TlsHarness();
    ca = TestPki.newCa("egret-test-ca");
    otherCa = TestPki.newCa("other-ca");
    caFile = ca.writePem(dir);
    otherCaFile = otherCa.writePem(dir);
    serverPem = ca.issue("server", List.of("api.example.com", "*.wild.example.com"), List.of(),
        List.of("127.0.0.1"), Duration.ofDays(1)).writePem(dir);
  }

  @AfterAll
  static void tearDown() {
    harness.close();
  }

  @Test
  void clientSendsConfiguredSniAndTrustedCaVerifies() throws Exception {
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setSni("api.example.com")
        .setCommonTlsContext(CommonTlsContext.newBuilder().setValidationContext(trusting(caFile,
            dnsExact("api.example.com")))).build());
    Outcome o = run(server(List.of(), null, null), client, null, null);
    assertThat(o.client.failure()).isNull();
    assertThat(o.client.ok()).isTrue();
    assertThat(client.hasValidation()).isTrue();
    assertThat(o.server.sni()).isEqualTo("api.example.com");
  }

  @Test
  void noSniIsSentWhenNoneConfigured() throws Exception {
    Outcome o = run(server(List.of(), null, null), upstream(UpstreamTlsContext.getDefaultInstance()), null, null);
    assertThat(o.client.ok()).isTrue();
    assertThat(o.server.sni()).isNull();
  }

  @Test
  void perConnectionSniOverridesConfiguredSni() throws Exception {
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setSni("api.example.com").build());
    Outcome o = run(server(List.of(), null, null), client, "x.wild.example.com", null);
    assertThat(o.server.sni()).isEqualTo("x.wild.example.com");
  }

  @Test
  void alpnNegotiatesH2() throws Exception {
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1")).build());
    Outcome o = run(server(List.of("h2", "http/1.1"), null, null), client, null, null);
    assertThat(client.alpn()).containsExactly("h2", "http/1.1");
    assertThat(o.client.alpn()).isEqualTo("h2");
    assertThat(o.server.alpn()).isEqualTo("h2");
  }

  @Test
  void withoutValidationContextAnyServerCertificateIsAccepted() throws Exception {
    TestPki.PemFiles stranger = otherCa.issue("stranger", List.of("nope.invalid"), List.of(), List.of(),
        Duration.ofDays(-1)).writePem(dir);
    UpstreamTls client = upstream(UpstreamTlsContext.getDefaultInstance());
    Outcome o = run(server(List.of(), stranger, null), client, null, null);
    assertThat(client.hasValidation()).isFalse();
    assertThat(o.client.ok()).isTrue();
  }

  @Test
  void untrustedChainReportsUnableToGetLocalIssuer() throws Exception {
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(otherCaFile, null))).build());
    Outcome o = run(server(List.of(), null, null), client, null, null);
    assertThat(o.client.ok()).isFalse();
    assertThat(TransportFailure.reason(o.client.failure())).isEqualTo(VERIFY
        + "X509_verify_cert: certificate verification error at depth 0: unable to get local issuer certificate"
        + ":TLS_error_end");
    assertThat(TransportFailure.resetReason(o.client.failure())).isEqualTo("remote connection failure");
  }

  @Test
  void sanMatcherMismatchReportsSanMatcher() throws Exception {
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(caFile, dnsExact("other.example.com"))))
        .build());
    Outcome o = run(server(List.of(), null, null), client, null, null);
    assertThat(TransportFailure.reason(o.client.failure())).isEqualTo(VERIFY + "SAN matcher:TLS_error_end");
  }

  @Test
  void wildcardSanSatisfiesExactDnsMatcherForOneLabel() throws Exception {
    UpstreamTls ok = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(caFile, dnsExact("a.wild.example.com"))))
        .build());
    assertThat(run(server(List.of(), null, null), ok, null, null).client.ok()).isTrue();
    UpstreamTls deep = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(caFile, dnsExact("a.b.wild.example.com"))))
        .build());
    assertThat(run(server(List.of(), null, null), deep, null, null).client.ok()).isFalse();
  }

  @Test
  void autoSanValidationMismatchReportsVerifySanList() throws Exception {
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(caFile, null))).build());
    Outcome bad = run(server(List.of(), null, null), client, "other.example.com", "other.example.com");
    assertThat(TransportFailure.reason(bad.client.failure())).isEqualTo(VERIFY + "verify SAN list:TLS_error_end");
    Outcome good = run(server(List.of(), null, null), client, "api.example.com", "api.example.com");
    assertThat(good.client.ok()).isTrue();
  }

  @Test
  void expiredServerCertificateReportsCertificateHasExpired() throws Exception {
    TestPki.PemFiles expired = ca.issue("old", List.of("api.example.com"), List.of(), List.of(),
        Duration.ofDays(-2)).writePem(dir);
    UpstreamTls client = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(caFile, null))).build());
    Outcome o = run(server(List.of(), expired, null), client, null, null);
    assertThat(TransportFailure.reason(o.client.failure())).isEqualTo(VERIFY
        + "X509_verify_cert: certificate verification error at depth 0: certificate has expired:TLS_error_end");

    UpstreamTls lenient = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(trusting(caFile, null).toBuilder()
            .setAllowExpiredCertificate(true))).build());
    assertThat(run(server(List.of(), expired, null), lenient, null, null).client.ok()).isTrue();
  }

  @Test
  void mutualTlsServerSeesClientSpiffeId() throws Exception {
    TestPki.PemFiles clientPem = ca.issue("client", List.of(), List.of(SPIFFE), List.of(),
        Duration.ofDays(1)).writePem(dir);
    DownstreamTls server = server(List.of(), null, trusting(caFile, null));
    assertThat(server.requireClientCertificate()).isTrue();
    UpstreamTls withCert = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().addTlsCertificates(cert(clientPem))
            .setTlsParams(TlsParameters.newBuilder().setTlsMaximumProtocolVersion(TlsProtocol.TLSv1_3))
            .setValidationContext(trusting(caFile, null))).build());
    Outcome o = run(server, withCert, null, null);
    assertThat(o.client.ok()).isTrue();
    assertThat(o.server.peerUriSan()).isEqualTo(SPIFFE);
    assertThat(DownstreamTls.localUriSan(o.client.session())).isEqualTo(SPIFFE);

    Outcome anonymous = run(server, upstream(UpstreamTlsContext.getDefaultInstance()), null, null);
    assertThat(anonymous.server.failure()).isNotNull();
  }

  @Test
  void tls13OnlyServerRejectsClientCappedAtTls12() throws Exception {
    DownstreamTls tls13 = DownstreamTls.compile(DownstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().addTlsCertificates(cert(serverPem)).setTlsParams(TlsParameters.newBuilder()
            .setTlsMinimumProtocolVersion(TlsProtocol.TLSv1_3))).build(), ConfigPath.root("s"));
    UpstreamTls client12 = upstream(UpstreamTlsContext.getDefaultInstance());
    Outcome o = run(tls13, client12, null, null);
    assertThat(o.client.ok()).isFalse();
    assertThat(TransportFailure.reason(o.client.failure())).startsWith("TLS_error:|").endsWith(":TLS_error_end")
        .doesNotContain("verify cert failed");
    UpstreamTls client13 = upstream(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext
        .newBuilder().setTlsParams(TlsParameters.newBuilder()
            .setTlsMaximumProtocolVersion(TlsProtocol.TLSv1_3))).build());
    Outcome ok = run(tls13, client13, null, null);
    assertThat(ok.client.ok()).isTrue();
    assertThat(ok.client.session().getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void connectionRefusedReportsDelayedConnectError() throws Exception {
    TlsHarness.ClientView v;
    try (RefusedPort refused = new RefusedPort()) {
      int port = refused.port();
      UpstreamTls client = upstream(UpstreamTlsContext.getDefaultInstance());
      v = harness.connect(port, ch -> client.newHandler(ch.alloc(), null, "127.0.0.1", port, null));
    }
    assertThat(v.ok()).isFalse();
    assertThat(TransportFailure.reason(v.failure())).isEqualTo("delayed connect error: Connection refused");
    assertThat(TransportFailure.resetReason(v.failure())).isEqualTo("remote connection failure");
  }

  record Outcome(TlsHarness.ClientView client, TlsHarness.ServerView server) {}

  private static Outcome run(DownstreamTls server, UpstreamTls client, String sni, String autoSan)
      throws Exception {
    CompletableFuture<TlsHarness.ServerView> seen = new CompletableFuture<>();
    Channel listener = harness.server(server, seen);
    try {
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      TlsHarness.ClientView v = harness.connect(port, ch -> client.newHandler(ch.alloc(), sni, "127.0.0.1",
          port, autoSan));
      return new Outcome(v, seen.get(10, TimeUnit.SECONDS));
    } finally {
      listener.close().syncUninterruptibly();
    }
  }

  static DownstreamTls server(List<String> alpn, TestPki.PemFiles pem, CertificateValidationContext clientCa) {
    CommonTlsContext.Builder c = CommonTlsContext.newBuilder().addTlsCertificates(cert(pem == null ? serverPem : pem))
        .addAllAlpnProtocols(alpn);
    DownstreamTlsContext.Builder d = DownstreamTlsContext.newBuilder();
    if (clientCa != null) {
      c.setValidationContext(clientCa);
      d.setRequireClientCertificate(com.google.protobuf.BoolValue.of(true));
    }
    ConfigPath at = ConfigPath.root("server");
    DownstreamTls tls = DownstreamTls.compile(d.setCommonTlsContext(c).build(), at);
    assertThat(at.errors()).isEmpty();
    return tls;
  }

  static UpstreamTls upstream(UpstreamTlsContext ctx) {
    ConfigPath at = ConfigPath.root("cluster.transport_socket");
    UpstreamTls tls = UpstreamTls.compile(ctx, at);
    assertThat(at.errors()).isEmpty();
    return tls;
  }

  static TlsCertificate cert(TestPki.PemFiles pem) {
    return TlsCertificate.newBuilder().setCertificateChain(file(pem.certChain()))
        .setPrivateKey(file(pem.key())).build();
  }

  static DataSource file(Path p) {
    return DataSource.newBuilder().setFilename(p.toString()).build();
  }

  static CertificateValidationContext trusting(Path caPem, SubjectAltNameMatcher san) {
    CertificateValidationContext.Builder b = CertificateValidationContext.newBuilder().setTrustedCa(file(caPem));
    if (san != null) {
      b.addMatchTypedSubjectAltNames(san);
    }
    return b.build();
  }

  static SubjectAltNameMatcher dnsExact(String name) {
    return SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.DNS)
        .setMatcher(StringMatcher.newBuilder().setExact(name)).build();
  }
}
