package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import java.security.cert.CertificateException;

/**
 * A peer certificate was rejected by Egret's verifier. {@link #detail()} is the text Envoy puts after
 * {@code verify cert failed: } in its transport failure reason, e.g. {@code SAN matcher},
 * {@code verify SAN list}, or {@code X509_verify_cert: certificate verification error at depth 0:
 * unable to get local issuer certificate}; {@link TransportFailure#reason} renders it.
 */
public final class TlsVerificationException extends CertificateException {
  private static final long serialVersionUID = 1L;
  private final String detail;

  public TlsVerificationException(String detail, Throwable cause) {
    super("verify cert failed: " + requireNonNull(detail, "detail"), cause);
    this.detail = detail;
  }

  /** Envoy's detail text, without the {@code verify cert failed: } prefix. */
  public String detail() {
    return detail;
  }
}
