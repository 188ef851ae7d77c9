package dev.egret.hbone;

import com.google.protobuf.ByteString;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.tls.UpstreamTls;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The TLS side of an HBONE client as Istio's {@code connect_originate} configures it: TLS 1.3 only,
 * ALPN {@code h2}, no SNI, our own SPIFFE certificate, and the peer verified against the mesh roots
 * with a URI SAN prefix {@code spiffe://<trust domain>/} per trust domain (hbone.md §12).
 */
public final class HboneTls {
  private HboneTls() {}

  /** The {@code UpstreamTlsContext} istiod sends for {@code connect_originate}, with inline PEM material. */
  public static UpstreamTlsContext context(String certChainPem, String keyPem, String rootsPem,
      List<String> trustDomains) {
    CertificateValidationContext.Builder v = CertificateValidationContext.newBuilder()
        .setTrustedCa(inline(rootsPem));
    for (String td : trustDomains) {
      v.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
          .setSanType(SubjectAltNameMatcher.SanType.URI)
          .setMatcher(StringMatcher.newBuilder().setPrefix("spiffe://" + td + "/")));
    }
    return UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .setTlsParams(TlsParameters.newBuilder()
            .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
            .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3))
        .addAlpnProtocols("h2")
        .addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(inline(certChainPem))
            .setPrivateKey(inline(keyPem)))
        .setValidationContext(v))
        .build();
  }

  /** Compiles {@link #context}; a bad certificate or key is an {@link IllegalArgumentException} naming the problems. */
  public static UpstreamTls client(String certChainPem, String keyPem, String rootsPem, List<String> trustDomains) {
    ConfigPath at = ConfigPath.root("hbone_tls");
    UpstreamTls tls = UpstreamTls.compile(context(certChainPem, keyPem, rootsPem, trustDomains), at);
    if (tls == null) {
      throw new IllegalArgumentException(new ConfigException(at.errors()).getMessage());
    }
    return tls;
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(pem, StandardCharsets.US_ASCII)).build();
  }
}
