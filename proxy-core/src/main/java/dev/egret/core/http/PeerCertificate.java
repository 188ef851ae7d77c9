package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The certificate a TLS client presented (its chain, leaf first) and the URI SANs of the certificate
 * this side presented: what {@code x-forwarded-client-cert} is made of. Derived values (digest, PEM)
 * are computed on demand, so connections that never forward them pay nothing.
 *
 * @param chain        the verified peer chain, leaf first; never empty
 * @param localUriSans URI SANs of our own certificate, in certificate order
 */
public record PeerCertificate(List<X509Certificate> chain, List<String> localUriSans) {
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  public PeerCertificate {
    chain = List.copyOf(chain);
    localUriSans = List.copyOf(localUriSans);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain is empty");
    }
  }

  /** The client's certificate from a finished handshake, or null when it presented none. */
  public static PeerCertificate from(SSLSession session) {
    requireNonNull(session, "session");
    Certificate[] peer;
    try {
      peer = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    List<X509Certificate> chain = new ArrayList<>();
    if (peer != null) {
      for (Certificate c : peer) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
    }
    if (chain.isEmpty()) {
      return null;
    }
    Certificate[] local = session.getLocalCertificates();
    List<String> localUris = local != null && local.length > 0 && local[0] instanceof X509Certificate l
        ? sans(l, SAN_URI) : List.of();
    return new PeerCertificate(chain, localUris);
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's subject in RFC 2253 form ({@code CN=client,O=Example}). */
  public String subject() {
    return leaf().getSubjectX500Principal().getName(X500Principal.RFC2253);
  }

  /** The leaf's URI SANs, in certificate order. */
  public List<String> uriSans() {
    return sans(leaf(), SAN_URI);
  }

  /** The leaf's DNS SANs, in certificate order. */
  public List<String> dnsSans() {
    return sans(leaf(), SAN_DNS);
  }

  /** Lower-case hex SHA-256 of the leaf's DER encoding. */
  public String sha256Hex() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded());
      StringBuilder sb = new StringBuilder(d.length * 2);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot digest the peer certificate", e);
    }
  }

  /** The leaf in PEM, URL-encoded. */
  public String urlEncodedPem() {
    return URLEncoder.encode(pem(leaf()), StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The whole chain in PEM (leaf first), URL-encoded. */
  public String urlEncodedChainPem() {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : chain) {
      sb.append(pem(c));
    }
    return URLEncoder.encode(sb.toString(), StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String pem(X509Certificate c) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode the peer certificate", e);
    }
  }

  private static List<String> sans(X509Certificate cert, int type) {
    Collection<List<?>> all;
    try {
      all = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of();
    }
    if (all == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (List<?> san : all) {
      if (san.size() >= 2 && san.get(0) instanceof Integer t && t == type && san.get(1) instanceof String v) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }
}
