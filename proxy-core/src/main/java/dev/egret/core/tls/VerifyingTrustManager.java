package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Egret's peer-certificate verifier, in Envoy's order: (1) chain validation, delegated to a
 * PKIX {@link X509ExtendedTrustManager} built over the configured CAs or the system roots (skipped when
 * no CA is configured); (2) the SAN list of {@code auto_san_validation} for this connection; (3) the
 * configured SAN matchers. Each failure throws a {@link TlsVerificationException} carrying Envoy's
 * detail text. {@code ACCEPT_UNTRUSTED} turns all failures into acceptance;
 * {@code allow_expired_certificate} re-validates an expired chain as of a date inside its validity.
 *
 * <p>Being an {@code X509ExtendedTrustManager}, Netty hands it the engine unchanged; endpoint
 * identification is left off on purpose because hostname checks are the SAN checks done here.
 */
final class VerifyingTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager chain; // null: no chain verification
  private final Set<TrustAnchor> anchors; // for the allow-expired re-check; empty with system roots
  private final boolean allowExpired;
  private final boolean acceptUntrusted;
  private final SanMatchers sanMatchers;
  private final Function<SSLEngine, String> autoSan; // engine -> SAN-list name, or null

  VerifyingTrustManager(X509ExtendedTrustManager chain, List<X509Certificate> anchorCerts,
      boolean allowExpired, boolean acceptUntrusted, SanMatchers sanMatchers,
      Function<SSLEngine, String> autoSan) {
    this.chain = chain;
    Set<TrustAnchor> a = new HashSet<>();
    anchorCerts.forEach(c -> a.add(new TrustAnchor(c, null)));
    this.anchors = Set.copyOf(a);
    this.allowExpired = allowExpired;
    this.acceptUntrusted = acceptUntrusted;
    this.sanMatchers = requireNonNull(sanMatchers, "sanMatchers");
    this.autoSan = requireNonNull(autoSan, "autoSan");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    verify(certs, authType, false, engine == null ? null : autoSan.apply(engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    verify(certs, authType, true, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    verify(certs, authType, false, null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    verify(certs, authType, true, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
    verify(certs, authType, false, null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
    verify(certs, authType, true, null);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain == null ? new X509Certificate[0] : chain.getAcceptedIssuers();
  }

  private void verify(X509Certificate[] certs, String authType, boolean client, String sanListName)
      throws CertificateException {
    if (certs == null || certs.length == 0) {
      throw new TlsVerificationException("X509_verify_cert: certificate verification error at depth 0: "
          + "unable to get local issuer certificate", null);
    }
    try {
      verifyChain(certs, authType, client);
      if (sanListName != null && !SanMatchers.matchesSanList(certs[0], sanListName)) {
        throw new TlsVerificationException("verify SAN list", null);
      }
      if (!sanMatchers.matches(certs[0])) {
        throw new TlsVerificationException("SAN matcher", null);
      }
    } catch (TlsVerificationException e) {
      if (!acceptUntrusted) {
        throw e;
      }
    }
  }

  private void verifyChain(X509Certificate[] certs, String authType, boolean client)
      throws TlsVerificationException {
    if (chain == null) {
      return;
    }
    try {
      if (client) {
        chain.checkClientTrusted(certs, authType);
      } else {
        chain.checkServerTrusted(certs, authType);
      }
    } catch (CertificateException | RuntimeException e) {
      Failure f = classify(e, certs.length);
      if (f.expired && allowExpired && validIgnoringExpiry(certs)) {
        return;
      }
      throw new TlsVerificationException("X509_verify_cert: certificate verification error at depth "
          + f.depth + ": " + f.text, e);
    }
  }

  private record Failure(int depth, String text, boolean expired) {}

  /** Maps a JDK validation failure onto the OpenSSL X509 verify error Envoy would print. */
  private static Failure classify(Throwable e, int chainLength) {
    int depth = -1;
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof CertPathValidatorException cpve && cpve.getIndex() >= 0 && depth < 0) {
        depth = cpve.getIndex();
      }
      if (t instanceof CertificateExpiredException
          || (t instanceof CertPathValidatorException v
              && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED)) {
        return new Failure(Math.max(depth, 0), "certificate has expired", true);
      }
      if (t instanceof CertificateNotYetValidException
          || (t instanceof CertPathValidatorException v
              && v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
        return new Failure(Math.max(depth, 0), "certificate is not yet valid", false);
      }
    }
    return new Failure(chainLength - 1, "unable to get local issuer certificate", false);
  }

  /** Re-builds the path as of one second before the earliest expiry in the presented chain. */
  private boolean validIgnoringExpiry(X509Certificate[] certs) {
    if (anchors.isEmpty()) {
      return false;
    }
    try {
      Date at = Arrays.stream(certs).map(X509Certificate::getNotAfter).min(Date::compareTo).orElseThrow();
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(certs[0]);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(new Date(at.getTime() - 1000));
      params.addCertStore(CertStore.getInstance("Collection",
          new CollectionCertStoreParameters(Arrays.asList(certs))));
      CertPathBuilder.getInstance("PKIX").build(params);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
