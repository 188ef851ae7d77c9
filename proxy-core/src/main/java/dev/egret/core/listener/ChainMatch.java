package dev.egret.core.listener;

import java.util.List;

/**
 * A compiled {@code filter_chain_match}: each criterion is absent (matches anything, but loses to a
 * chain that names a matching value) or a set of accepted values.
 *
 * @param destinationPort      null when unset
 * @param serverNames          exact names and {@code *.suffix} wildcards, lower case; empty when unset
 * @param transportProtocol    {@code tls} / {@code raw_buffer}; null when unset
 * @param applicationProtocols ALPN names; empty when unset
 */
public record ChainMatch(
    Integer destinationPort,
    List<String> serverNames,
    String transportProtocol,
    List<String> applicationProtocols) {

  public static final ChainMatch ANY = new ChainMatch(null, List.of(), null, List.of());

  public ChainMatch {
    serverNames = List.copyOf(serverNames);
    applicationProtocols = List.copyOf(applicationProtocols);
  }

  /** True when matching needs facts from the TLS ClientHello. */
  public boolean needsClientHello() {
    return !serverNames.isEmpty() || transportProtocol != null || !applicationProtocols.isEmpty();
  }
}
