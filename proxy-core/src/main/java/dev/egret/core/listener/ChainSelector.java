package dev.egret.core.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Chooses a listener's filter chain for a new connection the way Envoy does: criteria are applied in
 * order (destination port, server name, transport protocol, application protocols); at each step the
 * chains naming a matching value win, and only if none does are the chains that leave the criterion
 * unset considered. Server names prefer an exact match, then the longest matching {@code *.} wildcard.
 */
public final class ChainSelector {
  private final List<FilterChain> chains;
  private final FilterChain defaultChain; // nullable

  public ChainSelector(List<FilterChain> chains, FilterChain defaultChain) {
    this.chains = List.copyOf(chains);
    this.defaultChain = defaultChain;
  }

  /** Whether any chain needs the ClientHello (SNI, ALPN, TLS or not) to be matched. */
  public boolean needsClientHello() {
    for (FilterChain c : chains) {
      if (c.match().needsClientHello()) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param sni       server name from the ClientHello, or null
   * @param transport {@code tls} or {@code raw_buffer}
   * @param alpn      offered ALPN protocols (empty when none)
   * @return the chain, or null when none matches and there is no default chain
   */
  public FilterChain select(int destinationPort, String sni, String transport, List<String> alpn) {
    List<FilterChain> c = narrow(chains, m -> m.destinationPort() != null,
        m -> m.destinationPort() == destinationPort);
    c = byServerName(c, sni == null ? null : sni.toLowerCase(Locale.ROOT));
    c = narrow(c, m -> m.transportProtocol() != null, m -> m.transportProtocol().equals(transport));
    c = narrow(c, m -> !m.applicationProtocols().isEmpty(),
        m -> m.applicationProtocols().stream().anyMatch(alpn::contains));
    return c.isEmpty() ? defaultChain : c.get(0);
  }

  private static List<FilterChain> narrow(List<FilterChain> in, Predicate<ChainMatch> hasCriterion,
      Predicate<ChainMatch> matches) {
    List<FilterChain> specific = new ArrayList<>();
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : in) {
      if (!hasCriterion.test(fc.match())) {
        unset.add(fc);
      } else if (matches.test(fc.match())) {
        specific.add(fc);
      }
    }
    return specific.isEmpty() ? unset : specific;
  }

  private static List<FilterChain> byServerName(List<FilterChain> in, String sni) {
    List<FilterChain> exact = new ArrayList<>();
    List<FilterChain> wildcard = new ArrayList<>();
    int bestWildcard = -1;
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : in) {
      List<String> names = fc.match().serverNames();
      if (names.isEmpty()) {
        unset.add(fc);
        continue;
      }
      if (sni == null) {
        continue;
      }
      for (String n : names) {
        if (n.equals(sni)) {
          exact.add(fc);
          break;
        }
        if (n.startsWith("*.") && sni.endsWith(n.substring(1)) && sni.length() > n.length() - 1) {
          if (n.length() > bestWildcard) {
            bestWildcard = n.length();
            wildcard.clear();
          }
          if (n.length() == bestWildcard) {
            wildcard.add(fc);
          }
          break;
        }
      }
    }
    if (!exact.isEmpty()) {
      return exact;
    }
    return wildcard.isEmpty() ? unset : wildcard;
  }
}
