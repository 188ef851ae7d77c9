package dev.egret.core.tls;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSsl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiled {@code TlsParameters}: the enabled protocol versions (every version from minimum to
 * maximum), cipher suites ({@code null} = provider default; Envoy's {@code [a|b]} equal-preference
 * groups are flattened, TLS 1.3 suites are always kept since BoringSSL does not configure them) and
 * ECDH groups ({@code null} = provider default).
 *
 * @param protocols JSSE protocol names, e.g. {@code TLSv1.2}
 * @param ciphers names for the selected provider, or null
 * @param curves group names (BoringSSL spelling, {@code X25519}, {@code P-256}), or null
 */
record TlsParams(List<String> protocols, List<String> ciphers, List<String> curves) {
  /** Envoy's default client cipher list (non-FIPS), flattened. */
  static final List<String> CLIENT_DEFAULT_CIPHERS = List.of(
      "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
      "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
      "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384");
  private static final List<String> TLS13 = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  private static final String[] NAMES = {null, "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

  /**
   * @param defaultMin default minimum when unset or TLS_AUTO (Envoy: TLSv1_2 for both sides)
   * @param defaultMax default maximum (Envoy: TLSv1_2 for clients, TLSv1_3 for servers)
   * @param defaultCiphers used when {@code cipher_suites} is empty; null for the provider's default
   */
  static TlsParams compile(TlsParameters p, ConfigPath at, TlsProtocol defaultMin, TlsProtocol defaultMax,
      List<String> defaultCiphers) {
    Fields.allowOnly(p, at, Set.of("tls_minimum_protocol_version", "tls_maximum_protocol_version",
        "cipher_suites", "ecdh_curves"));
    int min = version(p.getTlsMinimumProtocolVersion(), defaultMin);
    int max = version(p.getTlsMaximumProtocolVersion(), defaultMax);
    List<String> protocols = new ArrayList<>();
    if (min > max) {
      at.field("tls_minimum_protocol_version").error("minimum protocol version " + NAMES[min]
          + " is above the maximum " + NAMES[max]);
    } else {
      for (int v = min; v <= max; v++) {
        protocols.add(NAMES[v]);
      }
    }
    List<String> configured = new ArrayList<>();
    for (int i = 0; i < p.getCipherSuitesCount(); i++) {
      String entry = p.getCipherSuites(i).trim();
      if (entry.startsWith("[") && entry.endsWith("]")) {
        entry = entry.substring(1, entry.length() - 1);
      }
      for (String name : entry.split("\\|")) {
        name = name.trim();
        if (name.isEmpty() || (TlsProvider.isOpenSsl() && !OpenSsl.isCipherSuiteAvailable(name))) {
          at.field("cipher_suites").index(i).error("unknown or unavailable cipher suite '" + name + "'");
        } else {
          configured.add(name);
        }
      }
    }
    List<String> ciphers = configured.isEmpty() ? defaultCiphers : configured;
    List<String> curves = p.getEcdhCurvesCount() == 0 ? null : List.copyOf(p.getEcdhCurvesList());
    if (curves != null && !TlsProvider.isOpenSsl()) {
      at.field("ecdh_curves").error("ecdh_curves needs the BoringSSL provider, which is unavailable");
    }
    return new TlsParams(List.copyOf(protocols), ciphers == null ? null : forProvider(ciphers), curves);
  }

  private static int version(TlsProtocol v, TlsProtocol dflt) {
    TlsProtocol eff = v == TlsProtocol.TLS_AUTO || v == TlsProtocol.UNRECOGNIZED ? dflt : v;
    return eff.getNumber();
  }

  private static List<String> forProvider(List<String> openSslNames) {
    List<String> out = new ArrayList<>();
    for (String n : openSslNames) {
      String name = n;
      if (!TlsProvider.isOpenSsl()) {
        String java = CipherSuiteConverter.toJava(n, "TLS");
        name = java == null ? n : java;
      }
      if (!out.contains(name)) {
        out.add(name);
      }
    }
    for (String t : TLS13) {
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }
}
