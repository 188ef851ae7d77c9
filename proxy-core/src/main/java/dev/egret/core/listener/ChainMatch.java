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
 * @param prefixRanges         destination IP ranges; empty when unset
 * @param directSourcePrefixRanges ranges of the physical peer's IP; empty when unset
 * @param sourceType           {@code ANY}, {@code SAME_IP_OR_LOOPBACK} or {@code EXTERNAL}
 * @param sourcePrefixRanges   source IP ranges (after PROXY protocol); empty when unset
 * @param sourcePorts          source ports; empty when unset
 */
public record ChainMatch(
    Integer destinationPort,
    List<String> serverNames,
    String transportProtocol,
    List<String> applicationProtocols,
    List<CidrRange> prefixRanges,
    List<CidrRange> directSourcePrefixRanges,
    SourceType sourceType,
    List<CidrRange> sourcePrefixRanges,
    List<Integer> sourcePorts) {

  /** Envoy's {@code ConnectionSourceType}. */
  public enum SourceType { ANY, SAME_IP_OR_LOOPBACK, EXTERNAL }

  public static final ChainMatch ANY = new ChainMatch(null, List.of(), null, List.of());

  public ChainMatch {
    serverNames = List.copyOf(serverNames);
    applicationProtocols = List.copyOf(applicationProtocols);
    prefixRanges = List.copyOf(prefixRanges);
    directSourcePrefixRanges = List.copyOf(directSourcePrefixRanges);
    sourcePrefixRanges = List.copyOf(sourcePrefixRanges);
    sourcePorts = List.copyOf(sourcePorts);
    if (sourceType == null) {
      sourceType = SourceType.ANY;
    }
  }

  /** The port, name and protocol criteria only. */
  public ChainMatch(Integer destinationPort, List<String> serverNames, String transportProtocol,
      List<String> applicationProtocols) {
    this(destinationPort, serverNames, transportProtocol, applicationProtocols, List.of(), List.of(), SourceType.ANY,
        List.of(), List.of());
  }

  /** True when matching needs facts from the TLS ClientHello. */
  public boolean needsClientHello() {
    return !serverNames.isEmpty() || transportProtocol != null || !applicationProtocols.isEmpty();
  }
}
