package dev.egret.core.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;

/** Builder steps shared by the client and server contexts. */
final class TlsContexts {
  private TlsContexts() {}

  static void apply(SslContextBuilder b, TlsParams params, List<String> alpn) {
    b.sslProvider(TlsProvider.PROVIDER);
    b.protocols(params.protocols().toArray(new String[0]));
    if (params.ciphers() != null) {
      b.ciphers(params.ciphers(), SupportedCipherSuiteFilter.INSTANCE);
    }
    if (params.curves() != null && TlsProvider.isOpenSsl()) {
      b.option(OpenSslContextOption.GROUPS, params.curves().toArray(new String[0]));
    }
    if (!alpn.isEmpty()) {
      b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    }
  }
}
