package dev.egret.core.listener;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Chooses a listener's filter chain for a new connection the way Envoy does: criteria are applied in
 * order (destination port, destination IP, server name, transport protocol, application protocols,
 * direct source IP, source type, source IP, source port); at each step the chains naming a matching
 * value win, and only if none does are the chains that leave the criterion unset considered. Server
 * names prefer an exact match, then the longest matching {@code *.} wildcard; IP ranges prefer the
 * longest matching prefix.
 *
 * <p>When the listener has a unified {@code filter_chain_matcher}, it alone chooses: its action
 * names a chain, and {@code filter_chain_match} is not consulted. Either way, no match falls back to
 * the default chain, or to none (the connection is closed).
 */
public final class ChainSelector {
  private final List<FilterChain> chains;
  private final FilterChain defaultChain; // nullable
  private final FilterChainMatcher matcher; // nullable
  private final Map<String, FilterChain> byName;

  public ChainSelector(List<FilterChain> chains, FilterChain defaultChain) {
    this(chains, defaultChain, null);
  }

  /** With a unified matcher ({@code filter_chain_matcher}) whose actions name chains; null for none. */
  public ChainSelector(List<FilterChain> chains, FilterChain defaultChain, FilterChainMatcher matcher) {
    this.chains = List.copyOf(chains);
    this.defaultChain = defaultChain;
    this.matcher = matcher;
    Map<String, FilterChain> names = new java.util.HashMap<>();
    for (FilterChain c : chains) {
      names.putIfAbsent(c.name(), c);
    }
    this.byName = Map.copyOf(names);
  }

  /** Whether the unified matcher chooses the chain. */
  public boolean hasMatcher() {
    return matcher != null;
  }

  /**
   * The chain for a connection, from everything the listener filters learned; null when none
   * matches and there is no default chain.
   */
  public FilterChain select(ConnectionFacts f) {
    if (matcher != null) {
      String name = matcher.match(f);
      FilterChain c = name == null ? null : byName.get(name);
      return c != null ? c : defaultChain;
    }
    List<FilterChain> c = narrow(chains, m -> m.destinationPort() != null,
        m -> m.destinationPort() == f.localPort());
    c = byPrefix(c, ChainMatch::prefixRanges, f.local());
    c = byServerName(c, f.serverName() == null ? null : f.serverName().toLowerCase(Locale.ROOT));
    c = narrow(c, m -> m.transportProtocol() != null, m -> m.transportProtocol().equals(f.transportProtocol()));
    c = narrow(c, m -> !m.applicationProtocols().isEmpty(),
        m -> m.applicationProtocols().stream().anyMatch(f.applicationProtocols()::contains));
    c = byPrefix(c, ChainMatch::directSourcePrefixRanges, f.directRemote());
    c = bySourceType(c, f);
    c = byPrefix(c, ChainMatch::sourcePrefixRanges, f.remote());
    int sourcePort = f.remote() == null ? -1 : f.remote().getPort();
    c = narrow(c, m -> !m.sourcePorts().isEmpty(), m -> m.sourcePorts().contains(sourcePort));
    return c.isEmpty() ? defaultChain : c.get(0);
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

  private static List<FilterChain> byPrefix(List<FilterChain> in, Function<ChainMatch, List<CidrRange>> ranges,
      InetSocketAddress address) {
    InetAddress ip = address == null ? null : address.getAddress();
    List<FilterChain> best = new ArrayList<>();
    int bestLen = -1;
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : in) {
      List<CidrRange> rs = ranges.apply(fc.match());
      if (rs.isEmpty()) {
        unset.add(fc);
        continue;
      }
      int len = -1;
      for (CidrRange r : rs) {
        if (r.prefixLen() > len && r.contains(ip)) {
          len = r.prefixLen();
        }
      }
      if (len < 0) {
        continue;
      }
      if (len > bestLen) {
        bestLen = len;
        best.clear();
      }
      if (len == bestLen) {
        best.add(fc);
      }
    }
    return best.isEmpty() ? unset : best;
  }

  private static List<FilterChain> bySourceType(List<FilterChain> in, ConnectionFacts f) {
    InetAddress remote = f.remote() == null ? null : f.remote().getAddress();
    InetAddress local = f.local() == null ? null : f.local().getAddress();
    boolean sameOrLoopback = remote != null && (remote.isLoopbackAddress() || remote.equals(local));
    ChainMatch.SourceType actual = sameOrLoopback ? ChainMatch.SourceType.SAME_IP_OR_LOOPBACK
        : ChainMatch.SourceType.EXTERNAL;
    return narrow(in, m -> m.sourceType() != ChainMatch.SourceType.ANY, m -> m.sourceType() == actual);
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
