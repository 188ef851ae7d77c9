package dev.egret.core.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Picks the TLS implementation once: BoringSSL through netty-tcnative ({@link SslProvider#OPENSSL}) when
 * it loads, else the JDK provider, logging why the native one is unavailable.
 */
final class TlsProvider {
  static final SslProvider PROVIDER = pick();

  private TlsProvider() {}

  static boolean isOpenSsl() {
    return PROVIDER == SslProvider.OPENSSL;
  }

  private static SslProvider pick() {
    if (OpenSsl.isAvailable()) {
      return SslProvider.OPENSSL;
    }
    System.getLogger(TlsProvider.class.getName()).log(System.Logger.Level.WARNING,
        "netty-tcnative (BoringSSL) unavailable, falling back to the JDK TLS provider: "
            + OpenSsl.unavailabilityCause());
    return SslProvider.JDK;
  }
}
