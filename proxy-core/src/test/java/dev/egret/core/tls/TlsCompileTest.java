package dev.egret.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config compilation errors and exception-to-text mapping, without sockets. */
class TlsCompileTest {
  @Test
  void unsupportedValidationFieldIsRejectedByPath() {
    ConfigPath at = ConfigPath.root("clusters[0].transport_socket.typed_config");
    UpstreamTls tls = UpstreamTls.compile(UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().setValidationContext(CertificateValidationContext.newBuilder()
            .addVerifyCertificateSpki("abc"))).build(), at);
    assertThat(tls).isNull();
    assertThat(at.errors()).extracting(ConfigError::path).containsExactly(
        "clusters[0].transport_socket.typed_config.common_tls_context.validation_context.verify_certificate_spki");
  }

  @Test
  void renegotiationAndUnknownCipherAreRejected() {
    ConfigPath at = ConfigPath.root("t");
    UpstreamTls.compile(UpstreamTlsContext.newBuilder().setAllowRenegotiation(true).setCommonTlsContext(
        CommonTlsContext.newBuilder().setTlsParams(TlsParameters.newBuilder().addCipherSuites("NOPE-CIPHER")))
        .build(), at);
    assertThat(at.errors()).extracting(ConfigError::path).containsExactly("t.allow_renegotiation",
        "t.common_tls_context.tls_params.cipher_suites[0]");
  }

  @Test
  void sanMatchersWithoutTrustedCaAreRejectedAsEnvoyDoes() {
    ConfigPath at = ConfigPath.root("t");
    UpstreamTls.compile(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setValidationContext(CertificateValidationContext.newBuilder().addMatchTypedSubjectAltNames(
            SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.DNS)
                .setMatcher(StringMatcher.newBuilder().setExact("a"))))).build(), at);
    assertThat(at.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("without trusted CA"));
  }

  @Test
  void envoyCipherGroupsAreFlattenedAndTls12IsTheClientDefault() {
    ConfigPath at = ConfigPath.root("t");
    TlsParams p = TlsParams.compile(TlsParameters.newBuilder()
        .addCipherSuites("[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-RSA-AES128-GCM-SHA256]").build(), at,
        TlsParameters.TlsProtocol.TLSv1_2, TlsParameters.TlsProtocol.TLSv1_2, null);
    assertThat(at.errors()).isEmpty();
    assertThat(p.protocols()).containsExactly("TLSv1.2");
    assertThat(p.ciphers()).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void serverWithoutCertificateOrWithUnsupportedFieldIsRejected() {
    ConfigPath at = ConfigPath.root("l");
    assertThat(DownstreamTls.compile(DownstreamTlsContext.newBuilder().setDisableStatefulSessionResumption(true)
        .build(), at)).isNull();
    assertThat(at.errors()).extracting(ConfigError::path).containsExactly(
        "l.disable_stateful_session_resumption", "l.common_tls_context.tls_certificates");
  }

  @Test
  void emptyInlineDataSourceIsAnError() {
    ConfigPath at = ConfigPath.root("t");
    assertThat(TlsData.read(DataSource.getDefaultInstance(), at)).isNull();
    assertThat(at.errors()).hasSize(1);
  }

  @Test
  void dnsWildcardCoversExactlyOneLeftmostLabel() {
    assertThat(SanMatchers.dnsNameMatch("a.example.com", "*.example.com")).isTrue();
    assertThat(SanMatchers.dnsNameMatch("A.Example.com", "a.example.COM")).isTrue();
    assertThat(SanMatchers.dnsNameMatch("example.com", "*.example.com")).isFalse();
    assertThat(SanMatchers.dnsNameMatch("a.b.example.com", "*.example.com")).isFalse();
  }

  @Test
  void connectErrnoTextsFromNioAndEpollAreMapped() {
    assertThat(TransportFailure.reason(new ConnectException("Connection refused: /127.0.0.1:9")))
        .isEqualTo("delayed connect error: Connection refused");
    assertThat(TransportFailure.reason(new ConnectException("finishConnect(..) failed: No route to host: /10.1.1.1:80")))
        .isEqualTo("delayed connect error: No route to host");
    assertThat(TransportFailure.reason(new ConnectException("connect(..) failed: Network is unreachable")))
        .isEqualTo("delayed connect error: Network is unreachable");
    assertThat(TransportFailure.resetReason(new ConnectException("Connection refused")))
        .isEqualTo("remote connection failure");
  }

  @Test
  void connectTimeoutHasNoReasonAndConnectionTimeoutReset() {
    ConnectTimeoutException e = new ConnectTimeoutException("connection timed out: /10.0.0.1:443");
    assertThat(TransportFailure.reason(e)).isNull();
    assertThat(TransportFailure.resetReason(e)).isEqualTo("connection timeout");
  }

  @Test
  void boringSslErrorIsRenderedWithDecimalPackedCode() {
    javax.net.ssl.SSLHandshakeException e = new javax.net.ssl.SSLHandshakeException(
        "error:1000042e:SSL routines:OPENSSL_internal:TLSV1_ALERT_PROTOCOL_VERSION");
    assertThat(TransportFailure.reason(e)).isEqualTo(
        "TLS_error:|268436526:SSL routines:OPENSSL_internal:TLSV1_ALERT_PROTOCOL_VERSION:TLS_error_end");
    assertThat(TransportFailure.reason(new RuntimeException(List.of().toString()))).isNull();
  }
}
