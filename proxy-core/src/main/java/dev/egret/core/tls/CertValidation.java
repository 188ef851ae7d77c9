package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.TrustChainVerification;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A compiled {@code CertificateValidationContext} (from {@code validation_context} or the
 * {@code default_validation_context} of {@code combined_validation_context}).
 *
 * @param trustedCas CAs from {@code trusted_ca}; empty when none (or when system roots are used)
 * @param systemRoots verify against the JDK/OS trust store ({@code system_root_certs})
 * @param sanMatchers typed SAN matchers, or the deprecated untyped ones when no typed list is set
 * @param allowExpired {@code allow_expired_certificate}
 * @param acceptUntrusted {@code trust_chain_verification: ACCEPT_UNTRUSTED}
 */
record CertValidation(List<X509Certificate> trustedCas, boolean systemRoots, SanMatchers sanMatchers,
    boolean allowExpired, boolean acceptUntrusted) {

  CertValidation {
    trustedCas = List.copyOf(trustedCas);
    requireNonNull(sanMatchers, "sanMatchers");
  }

  /** No verification at all: every peer certificate is accepted (Envoy without a validation context). */
  static CertValidation none() {
    return new CertValidation(List.of(), false, SanMatchers.none(), false, false);
  }

  /** True when a chain is verified (trusted CA or system roots). */
  boolean verifiesChain() {
    return systemRoots || !trustedCas.isEmpty();
  }

  /** Reads the validation context of {@code common}; null when it has none. */
  static CertValidation compile(CommonTlsContext common, ConfigPath at) {
    switch (common.getValidationContextTypeCase()) {
      case VALIDATION_CONTEXT:
        return compile(common.getValidationContext(), at.field("validation_context"));
      case COMBINED_VALIDATION_CONTEXT: {
        ConfigPath cp = at.field("combined_validation_context");
        var combined = common.getCombinedValidationContext();
        Fields.allowOnly(combined, cp, Set.of("default_validation_context"));
        return compile(combined.getDefaultValidationContext(), cp.field("default_validation_context"));
      }
      default:
        return null;
    }
  }

  static CertValidation compile(CertificateValidationContext v, ConfigPath at) {
    Fields.allowOnly(v, at, Set.of("trusted_ca", "system_root_certs", "match_typed_subject_alt_names",
        "match_subject_alt_names", "allow_expired_certificate", "trust_chain_verification"));
    List<X509Certificate> cas = List.of();
    if (v.hasTrustedCa()) {
      byte[] bytes = TlsData.read(v.getTrustedCa(), at.field("trusted_ca"));
      List<X509Certificate> parsed = bytes == null ? null : TlsData.certificates(bytes, at.field("trusted_ca"));
      cas = parsed == null ? List.of() : parsed;
    }
    boolean system = v.hasSystemRootCerts();
    if (system && v.hasTrustedCa()) {
      at.field("system_root_certs").error("system_root_certs and trusted_ca are mutually exclusive");
    }
    SanMatchers sans = v.getMatchTypedSubjectAltNamesCount() > 0
        ? SanMatchers.compileTyped(v.getMatchTypedSubjectAltNamesList(), at.field("match_typed_subject_alt_names"))
        : SanMatchers.compileUntyped(v.getMatchSubjectAltNamesList(), at.field("match_subject_alt_names"));
    boolean acceptUntrusted = v.getTrustChainVerification() == TrustChainVerification.ACCEPT_UNTRUSTED;
    if (!sans.isEmpty() && !v.hasTrustedCa() && !system && !acceptUntrusted) {
      at.error("SAN-based verification of peer certificates without trusted CA is insecure and not allowed");
    }
    return new CertValidation(cas, system, sans, v.getAllowExpiredCertificate(), acceptUntrusted);
  }

  /**
   * Builds the verifier. {@code autoSan} maps a client engine to the name its server must present
   * ({@code auto_san_validation}), or null.
   */
  X509ExtendedTrustManager trustManager(Function<SSLEngine, String> autoSan) throws GeneralSecurityException {
    X509ExtendedTrustManager chain = null;
    if (verifiesChain()) {
      KeyStore ks = null;
      if (!systemRoots) {
        ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
          ks.load(null, null);
        } catch (java.io.IOException e) {
          throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < trustedCas.size(); i++) {
          ks.setCertificateEntry("ca-" + i, trustedCas.get(i));
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          chain = x;
        }
      }
      if (chain == null) {
        throw new GeneralSecurityException("no PKIX X509ExtendedTrustManager available");
      }
    }
    return new VerifyingTrustManager(chain, trustedCas, allowExpired, acceptUntrusted, sanMatchers, autoSan);
  }
}
