package dev.egret.core.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An in-memory PKI for tests and `egret demo` (never for production identities): mints a CA and leaf certificates (EC P-256, SHA256withECDSA) with
 * BouncyCastle, and writes them as PEM so configurations can point at them by {@code filename}.
 *
 * <pre>{@code
 * TestPki.Ca ca = TestPki.newCa("test-ca");
 * TestPki.Issued server = ca.issue("server", List.of("api.example.com"), List.of(), List.of("127.0.0.1"),
 *     Duration.ofDays(1));
 * TestPki.PemFiles files = server.writePem(tmpDir);   // certificate chain + PKCS#8 key
 * }</pre>
 *
 * <p>Leaves carry {@code digitalSignature} key usage and both {@code serverAuth} and {@code clientAuth}
 * extended key usages, so one certificate works on either side of a handshake. A negative validity
 * gives a certificate that expired that long ago. No JCA provider is registered globally.
 */
public final class TestPki {
  private static final Duration BACKDATE = Duration.ofHours(1);

  private TestPki() {}

  /** A self-signed CA, valid from an hour ago for ten years. */
  public static Ca newCa(String cn) {
    requireNonNull(cn, "cn");
    KeyPair kp = newKeyPair();
    X500Name name = new X500Name("CN=" + cn);
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, nextSerial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(Duration.ofDays(3650))), name, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new Ca(sign(b, kp.getPrivate()), kp.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate authority that can issue leaves. */
  public static final class Ca {
    private final X509Certificate cert;
    private final PrivateKey key;

    private Ca(X509Certificate cert, PrivateKey key) {
      this.cert = cert;
      this.key = key;
    }

    public X509Certificate cert() {
      return cert;
    }

    public PrivateKey key() {
      return key;
    }

    /** The CA certificate as PEM. */
    public String certPem() {
      return pem("CERTIFICATE", encoded(cert));
    }

    /** Writes the CA certificate PEM into {@code dir} and returns the file. */
    public Path writePem(Path dir) {
      return write(dir, safe(cert.getSubjectX500Principal().getName()) + "-ca-"
          + cert.getSerialNumber() + ".pem", certPem());
    }

    /** Issues a leaf valid from an hour ago for one day. */
    public Issued issue(String cn, List<String> dnsSans, List<String> uriSans, List<String> ipSans) {
      return issue(cn, dnsSans, uriSans, ipSans, Duration.ofDays(1));
    }

    /**
     * Issues a leaf signed by this CA.
     *
     * @param validity how long from now it stays valid; negative for a certificate that expired
     *     {@code |validity|} ago
     */
    public Issued issue(String cn, List<String> dnsSans, List<String> uriSans, List<String> ipSans,
        Duration validity) {
      return issue(cn, dnsSans, uriSans, ipSans, List.of(), validity);
    }

    /** Like {@link #issue(String, List, List, List, Duration)} with e-mail (rfc822Name) SANs too. */
    public Issued issue(String cn, List<String> dnsSans, List<String> uriSans, List<String> ipSans,
        List<String> emailSans, Duration validity) {
      requireNonNull(cn, "cn");
      requireNonNull(validity, "validity");
      KeyPair kp = newKeyPair();
      Instant now = Instant.now();
      Instant notAfter = now.plus(validity);
      Instant notBefore = now.minus(BACKDATE);
      if (!notBefore.isBefore(notAfter)) {
        notBefore = notAfter.minus(Duration.ofDays(1));
      }
      List<GeneralName> names = new ArrayList<>();
      dnsSans.forEach(s -> names.add(new GeneralName(GeneralName.dNSName, s)));
      uriSans.forEach(s -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, s)));
      ipSans.forEach(s -> names.add(new GeneralName(GeneralName.iPAddress, s)));
      emailSans.forEach(s -> names.add(new GeneralName(GeneralName.rfc822Name, s)));
      try {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, nextSerial(),
            Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
        if (!names.isEmpty()) {
          b.addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(names.toArray(new GeneralName[0])));
        }
        return new Issued(sign(b, key), kp.getPrivate(), cert);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Files written by {@link Issued#writePem}: the certificate chain and the PKCS#8 private key. */
  public record PemFiles(Path certChain, Path key) {}

  /**
   * A leaf certificate with its private key and issuing CA.
   *
   * @param cert the leaf
   * @param key its private key
   * @param issuer the CA certificate that signed it (not part of {@link #certPem()})
   */
  public record Issued(X509Certificate cert, PrivateKey key, X509Certificate issuer) {
    public Issued {
      requireNonNull(cert, "cert");
      requireNonNull(key, "key");
      requireNonNull(issuer, "issuer");
    }

    /** The leaf certificate as PEM (the chain Envoy expects in {@code certificate_chain}). */
    public String certPem() {
      return pem("CERTIFICATE", encoded(cert));
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public String keyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }

    /** Writes {@link #certPem()} into {@code dir}; returns the file. */
    public Path writeCertPem(Path dir) {
      return write(dir, baseName() + ".crt", certPem());
    }

    /** Writes {@link #keyPem()} into {@code dir}; returns the file. */
    public Path writeKeyPem(Path dir) {
      return write(dir, baseName() + ".key", keyPem());
    }

    /** Writes the certificate chain and key into {@code dir}. */
    public PemFiles writePem(Path dir) {
      return new PemFiles(writeCertPem(dir), writeKeyPem(dir));
    }

    private String baseName() {
      return safe(cert.getSubjectX500Principal().getName()) + "-" + cert.getSerialNumber();
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static BigInteger nextSerial() {
    return new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static String safe(String dn) {
    return dn.replaceAll("[^A-Za-z0-9.-]", "_");
  }

  private static Path write(Path dir, String name, String content) {
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
