package dev.egret.core.tls;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * The local certificate chain and PKCS#8 PEM private key from {@code tls_certificates}. Egret supports one
 * entry with {@code certificate_chain} and {@code private_key}.
 *
 * @param chainPem certificate chain bytes (PEM)
 * @param keyPem private key bytes (PEM, PKCS#8)
 */
record TlsCertificates(byte[] chainPem, byte[] keyPem) {
  /** Null when none configured or on error (reported). */
  static TlsCertificates compile(List<TlsCertificate> certs, ConfigPath at) {
    if (certs.isEmpty()) {
      return null;
    }
    if (certs.size() > 1) {
      at.index(1).error("only one tls_certificate is supported by Egret");
    }
    TlsCertificate c = certs.get(0);
    ConfigPath p = at.index(0);
    Fields.allowOnly(c, p, Set.of("certificate_chain", "private_key"));
    if (!c.hasCertificateChain() || !c.hasPrivateKey()) {
      p.error("certificate_chain and private_key are both required");
      return null;
    }
    byte[] chain = TlsData.read(c.getCertificateChain(), p.field("certificate_chain"));
    byte[] key = TlsData.read(c.getPrivateKey(), p.field("private_key"));
    if (chain == null || key == null || TlsData.certificates(chain, p.field("certificate_chain")) == null) {
      return null;
    }
    return new TlsCertificates(chain, key);
  }

  InputStream chain() {
    return new ByteArrayInputStream(chainPem);
  }

  InputStream key() {
    return new ByteArrayInputStream(keyPem);
  }
}
