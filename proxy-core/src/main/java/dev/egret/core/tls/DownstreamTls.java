package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A compiled {@code DownstreamTlsContext}: a server {@link SslContext} built once.
 *
 * <p>Versions default to TLS 1.2–1.3 (Envoy's server defaults). ALPN advertises {@code alpn_protocols}
 * in order when set. A client certificate is requested when a validation context is configured and
 * required when {@code require_client_certificate} is true; it is verified against {@code trusted_ca}
 * and the SAN matchers. Handlers time the handshake out after 10 s.
 */
public final class DownstreamTls {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(DownstreamTls.class.getName());
  /** How often, at most, new handshakes look at the files for a rotation. */
  static final long RELOAD_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private volatile SslContext context;
  private final List<String> alpn;
  private final boolean requireClientCertificate;
  private final DownstreamTlsContext proto; // recompiled when a file it names changes
  private final FileStamps files;

  private DownstreamTls(SslContext context, List<String> alpn, boolean requireClientCertificate,
      DownstreamTlsContext proto) {
    this.context = context;
    this.alpn = List.copyOf(alpn);
    this.requireClientCertificate = requireClientCertificate;
    this.proto = proto;
    this.files = FileStamps.of(proto.getCommonTlsContext());
  }

  /** Compiles {@code proto}, reporting problems under {@code at}; null when there were errors. */
  public static DownstreamTls compile(DownstreamTlsContext proto, ConfigPath at) {
    requireNonNull(proto, "proto");
    requireNonNull(at, "at");
    int errorsBefore = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("common_tls_context", "require_client_certificate"));
    boolean require = proto.hasRequireClientCertificate() && proto.getRequireClientCertificate().getValue();
    CommonTlsContext common = proto.getCommonTlsContext();
    ConfigPath cp = at.field("common_tls_context");
    Fields.allowOnly(common, cp, Set.of("tls_params", "tls_certificates", "validation_context",
        "combined_validation_context", "alpn_protocols"));
    TlsParams params = TlsParams.compile(common.hasTlsParams() ? common.getTlsParams()
        : TlsParameters.getDefaultInstance(), cp.field("tls_params"), TlsProtocol.TLSv1_2,
        TlsProtocol.TLSv1_3, null);
    TlsCertificates certs = TlsCertificates.compile(common.getTlsCertificatesList(),
        cp.field("tls_certificates"));
    if (common.getTlsCertificatesCount() == 0) {
      cp.field("tls_certificates").error("a server needs exactly one tls_certificate");
    }
    CertValidation validation = CertValidation.compile(common, cp);
    if (require && (validation == null || !validation.verifiesChain())) {
      at.field("require_client_certificate").error(
          "require_client_certificate needs a validation_context with trusted_ca");
    }
    List<String> alpn = List.copyOf(common.getAlpnProtocolsList());
    if (at.errorCount() > errorsBefore || certs == null) {
      return null;
    }
    try {
      SslContextBuilder b = SslContextBuilder.forServer(certs.chain(), certs.key());
      TlsContexts.apply(b, params, alpn);
      if (validation != null) {
        b.trustManager(validation.trustManager(engine -> null));
        b.clientAuth(require ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      return new DownstreamTls(b.build(), alpn, require, proto);
    } catch (Exception e) {
      cp.error("cannot build TLS server context: " + e.getMessage());
      return null;
    }
  }

  /**
   * A handler for one accepted connection, with a 10 s handshake timeout. When a certificate, key or
   * CA file this context was built from has changed (looked at no more than once a second), the
   * context is rebuilt first: new connections get the rotated certificate while established ones
   * keep theirs. A rebuild that fails (a half-written file) keeps the previous context.
   */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    if (files.changedSince(RELOAD_CHECK_NANOS)) {
      reload();
    }
    SslHandler h = context.newHandler(requireNonNull(alloc, "alloc"));
    h.setHandshakeTimeout(UpstreamTls.HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    return h;
  }

  private void reload() {
    ConfigPath at = ConfigPath.root("transport_socket");
    DownstreamTls fresh = compile(proto, at);
    if (fresh == null) {
      LOG.warning("TLS files changed but cannot be loaded; keeping the previous certificate: " + at.errors());
      return;
    }
    context = fresh.context;
    LOG.info("reloaded the TLS server context after its files changed");
  }

  public List<String> alpn() {
    return alpn;
  }

  public boolean requireClientCertificate() {
    return requireClientCertificate;
  }

  public SslContext sslContext() {
    return context;
  }

  /** First URI SAN of the peer's leaf certificate (e.g. a SPIFFE id), or null when none / unverified. */
  public static String peerUriSan(SSLSession session) {
    try {
      return firstUri(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** First URI SAN of the certificate this side presented, or null. */
  public static String localUriSan(SSLSession session) {
    return firstUri(session.getLocalCertificates());
  }

  private static String firstUri(Certificate[] certs) {
    if (certs == null || certs.length == 0 || !(certs[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return SanMatchers.firstUri(leaf);
  }
}
