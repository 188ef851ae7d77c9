package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A compiled {@code UpstreamTlsContext}: one client {@link SslContext}, built once, that makes a
 * {@link SslHandler} per upstream connection.
 *
 * <p>Behaviour follows Envoy (router spec §11): TLS 1.2 only unless {@code tls_params} says otherwise;
 * no ALPN unless {@code alpn_protocols} is set; the server certificate is verified only when a
 * validation context is configured (chain against {@code trusted_ca} or the system roots, then SAN
 * matchers) — without one any certificate is accepted. SNI is sent only when configured (or passed per
 * connection), never derived from the peer address. Session resumption keeps up to
 * {@code max_session_keys} sessions (default 1; 0 disables it). Renegotiation is refused.
 *
 * <p>Verification failures carry Envoy's text; see {@link TransportFailure#reason}.
 */
public final class UpstreamTls {
  static final long HANDSHAKE_TIMEOUT_MS = 10_000;

  private final SslContext context;
  private final String sni; // null: none configured
  private final boolean autoHostSni;
  private final boolean autoSniSanValidation;
  private final List<String> alpn;
  private final boolean validation;
  private final boolean resumption;
  /** engine -> SAN-list name for auto_san_validation; read once by the verifier. */
  private final Map<SSLEngine, String> autoSanByEngine;

  private UpstreamTls(SslContext context, String sni, boolean autoHostSni, boolean autoSniSanValidation,
      List<String> alpn, boolean validation, boolean resumption, Map<SSLEngine, String> autoSanByEngine) {
    this.context = context;
    this.sni = sni;
    this.autoHostSni = autoHostSni;
    this.autoSniSanValidation = autoSniSanValidation;
    this.alpn = List.copyOf(alpn);
    this.validation = validation;
    this.resumption = resumption;
    this.autoSanByEngine = autoSanByEngine;
  }

  /**
   * Compiles {@code proto}, reporting every problem under {@code at}; returns null when there were
   * errors.
   */
  public static UpstreamTls compile(UpstreamTlsContext proto, ConfigPath at) {
    requireNonNull(proto, "proto");
    requireNonNull(at, "at");
    int errorsBefore = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("common_tls_context", "sni", "auto_host_sni",
        "auto_sni_san_validation", "allow_renegotiation", "max_session_keys", "enforce_rsa_key_usage"));
    if (proto.getAllowRenegotiation()) {
      at.field("allow_renegotiation").error("allow_renegotiation: true is not supported by Egret");
    }
    if (proto.hasEnforceRsaKeyUsage() && proto.getEnforceRsaKeyUsage().getValue()) {
      at.field("enforce_rsa_key_usage").error("enforce_rsa_key_usage: true is not supported by Egret");
    }
    String sni = proto.getSni().isEmpty() ? null : proto.getSni();
    if (sni != null && !validSni(sni)) {
      at.field("sni").error("invalid SNI host name '" + sni + "'");
    }
    int maxSessionKeys = proto.hasMaxSessionKeys() ? proto.getMaxSessionKeys().getValue() : 1;

    CommonTlsContext common = proto.getCommonTlsContext();
    ConfigPath cp = at.field("common_tls_context");
    Fields.allowOnly(common, cp, Set.of("tls_params", "tls_certificates", "validation_context",
        "combined_validation_context", "alpn_protocols"));
    TlsParams params = TlsParams.compile(common.hasTlsParams() ? common.getTlsParams()
        : TlsParameters.getDefaultInstance(), cp.field("tls_params"), TlsProtocol.TLSv1_2,
        TlsProtocol.TLSv1_2, TlsParams.CLIENT_DEFAULT_CIPHERS);
    TlsCertificates certs = TlsCertificates.compile(common.getTlsCertificatesList(),
        cp.field("tls_certificates"));
    CertValidation compiled = CertValidation.compile(common, cp);
    CertValidation validation = compiled == null ? CertValidation.none() : compiled;
    List<String> alpn = List.copyOf(common.getAlpnProtocolsList());
    if (at.errorCount() > errorsBefore) {
      return null;
    }

    Map<SSLEngine, String> autoSan = Collections.synchronizedMap(new WeakHashMap<>());
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .endpointIdentificationAlgorithm(null)
          .trustManager(validation.trustManager(autoSan::remove));
      TlsContexts.apply(b, params, alpn);
      if (certs != null) {
        b.keyManager(certs.chain(), certs.key());
      }
      if (maxSessionKeys > 0) {
        b.sessionCacheSize(maxSessionKeys);
      }
      return new UpstreamTls(b.build(), sni, proto.getAutoHostSni(), proto.getAutoSniSanValidation(),
          alpn, compiled != null && validation.verifiesChain(), maxSessionKeys > 0, autoSan);
    } catch (Exception e) {
      cp.error("cannot build TLS client context: " + e.getMessage());
      return null;
    }
  }

  /**
   * A handler for one upstream connection.
   *
   * @param sni the server name to send, overriding the configured {@code sni}; null to use the
   *     configured one (or none)
   * @param peerHost the address connected to (used only as the session-resumption key)
   * @param autoSanHost when non-null, the server must present a DNS SAN matching it (wildcards allowed)
   *     or a URI/IP SAN equal to it ({@code auto_san_validation}); failure reads
   *     {@code verify SAN list}
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String sni, String peerHost, int peerPort,
      String autoSanHost) {
    requireNonNull(alloc, "alloc");
    String serverName = sni != null ? sni : this.sni;
    String key = null;
    if (resumption && peerPort > 0) {
      if (serverName != null) {
        key = serverName;
      } else if (peerHost != null
          && (NetUtil.isValidIpV4Address(peerHost) || NetUtil.isValidIpV6Address(peerHost))) {
        key = peerHost; // an IP literal never triggers an SNI of its own
      }
    }
    SslHandler handler = key == null ? context.newHandler(alloc) : context.newHandler(alloc, key, peerPort);
    SSLEngine engine = handler.engine();
    if (serverName != null) {
      SSLParameters p = engine.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(serverName)));
      engine.setSSLParameters(p);
    }
    if (autoSanHost != null) {
      autoSanByEngine.put(engine, autoSanHost);
    }
    handler.setHandshakeTimeout(HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    return handler;
  }

  /** Configured {@code alpn_protocols}, in order (empty = no ALPN). */
  public List<String> alpn() {
    return alpn;
  }

  /** True when server certificates are verified (a validation context with a trusted CA or system roots). */
  public boolean hasValidation() {
    return validation;
  }

  /** The configured {@code sni}, or null. */
  public String sni() {
    return sni;
  }

  /** {@code auto_host_sni}: the caller should pass the upstream host as SNI. */
  public boolean autoHostSni() {
    return autoHostSni;
  }

  /** {@code auto_sni_san_validation}: the caller should pass the SNI it sends as {@code autoSanHost}. */
  public boolean autoSniSanValidation() {
    return autoSniSanValidation;
  }

  /** The underlying Netty context (for advanced wiring, e.g. HBONE). */
  public SslContext sslContext() {
    return context;
  }

  static boolean validSni(String name) {
    try {
      new SNIHostName(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
