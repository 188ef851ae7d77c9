package dev.egret.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.http.HcmConfig;
import dev.egret.core.stats.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainSelectorTest {
  private static final Stats STATS = new Stats();

  private static FilterChain chain(String name, ChainMatch m) {
    HcmConfig hcm = new HcmConfig("p", STATS.http("p"), List.of(), (s, r) -> null, HcmConfig.Codec.AUTO, "envoy",
        List.of(), false, 0, false, false, true, false, 60 * 1024, 100, 0, 0, HcmConfig.Http2Limits.DEFAULT, 0, 0, 0);
    return new FilterChain(name, m, null, hcm);
  }

  private static ChainMatch sni(String... names) {
    return new ChainMatch(null, List.of(names), null, List.of());
  }

  @Test
  void exactServerNameBeatsWildcardBeatsUnset() {
    ChainSelector s = new ChainSelector(List.of(
        chain("any", ChainMatch.ANY),
        chain("wild", sni("*.example.com")),
        chain("longer-wild", sni("*.api.example.com")),
        chain("exact", sni("www.example.com"))), null);
    assertThat(s.select(443, "www.example.com", "tls", List.of()).name()).isEqualTo("exact");
    assertThat(s.select(443, "x.api.example.com", "tls", List.of()).name()).isEqualTo("longer-wild");
    assertThat(s.select(443, "other.example.com", "tls", List.of()).name()).isEqualTo("wild");
    assertThat(s.select(443, "example.com", "tls", List.of()).name()).isEqualTo("any");
    assertThat(s.select(443, null, "raw_buffer", List.of()).name()).isEqualTo("any");
  }

  @Test
  void portIsMatchedFirst() {
    ChainSelector s = new ChainSelector(List.of(
        chain("sni-any-port", sni("a.example.com")),
        chain("port-8443", new ChainMatch(8443, List.of(), null, List.of()))), null);
    assertThat(s.select(8443, "a.example.com", "tls", List.of()).name()).isEqualTo("port-8443");
    assertThat(s.select(443, "a.example.com", "tls", List.of()).name()).isEqualTo("sni-any-port");
  }

  @Test
  void transportAndAlpnNarrowTheChoice() {
    ChainSelector s = new ChainSelector(List.of(
        chain("plain", new ChainMatch(null, List.of(), "raw_buffer", List.of())),
        chain("tls-h2", new ChainMatch(null, List.of(), "tls", List.of("h2"))),
        chain("tls", new ChainMatch(null, List.of(), "tls", List.of()))), null);
    assertThat(s.select(1, null, "raw_buffer", List.of()).name()).isEqualTo("plain");
    assertThat(s.select(1, null, "tls", List.of("h2", "http/1.1")).name()).isEqualTo("tls-h2");
    assertThat(s.select(1, null, "tls", List.of("http/1.1")).name()).isEqualTo("tls");
  }

  @Test
  void noMatchFallsBackToDefaultChainOrNothing() {
    FilterChain def = chain("default", ChainMatch.ANY);
    List<FilterChain> only = List.of(chain("only", sni("a.example.com")));
    assertThat(new ChainSelector(only, def).select(1, "b.example.com", "tls", List.of()).name())
        .isEqualTo("default");
    assertThat(new ChainSelector(only, null).select(1, "b.example.com", "tls", List.of())).isNull();
  }

  private static CidrRange cidr(String prefix, int len) {
    return CidrRange.compile(prefix, len, dev.egret.core.config.ConfigPath.root("t"));
  }

  private static ConnectionFacts facts(String local, int port, String remote) {
    return ConnectionFacts.accepted(new java.net.InetSocketAddress(local, port),
        new java.net.InetSocketAddress(remote, 40000));
  }

  @Test
  void destinationPrefixRangesPreferTheLongestMatchThenSourceRanges() {
    ChainMatch vipA = new ChainMatch(5000, List.of(), null, List.of(), List.of(cidr("1.2.3.4", 32)), List.of(),
        ChainMatch.SourceType.ANY, List.of(), List.of());
    ChainMatch subnet = new ChainMatch(5000, List.of(), null, List.of(), List.of(cidr("1.2.0.0", 16)), List.of(),
        ChainMatch.SourceType.ANY, List.of(), List.of());
    ChainMatch fromPods = new ChainMatch(5000, List.of(), null, List.of(), List.of(cidr("1.2.0.0", 16)), List.of(),
        ChainMatch.SourceType.ANY, List.of(cidr("10.0.0.0", 8)), List.of());
    ChainSelector s = new ChainSelector(List.of(chain("subnet", subnet), chain("vip-a", vipA),
        chain("from-pods", fromPods)), null);
    assertThat(s.select(facts("1.2.3.4", 5000, "192.168.0.1")).name()).isEqualTo("vip-a");
    assertThat(s.select(facts("1.2.9.9", 5000, "192.168.0.1")).name()).isEqualTo("subnet");
    assertThat(s.select(facts("1.2.9.9", 5000, "10.1.1.1")).name()).isEqualTo("from-pods");
    assertThat(s.select(facts("1.3.0.1", 5000, "10.1.1.1"))).isNull();
    assertThat(s.select(facts("1.2.3.4", 5001, "10.1.1.1"))).isNull();
  }

  @Test
  void sourcePortsAndSourceTypeNarrowLast() {
    ChainMatch local = new ChainMatch(null, List.of(), null, List.of(), List.of(), List.of(),
        ChainMatch.SourceType.SAME_IP_OR_LOOPBACK, List.of(), List.of());
    ChainMatch port = new ChainMatch(null, List.of(), null, List.of(), List.of(), List.of(),
        ChainMatch.SourceType.ANY, List.of(), List.of(40000));
    ChainSelector s = new ChainSelector(List.of(chain("any", ChainMatch.ANY), chain("local", local),
        chain("port", port)), null);
    assertThat(s.select(facts("10.0.0.1", 80, "127.0.0.1")).name()).isEqualTo("local");
    assertThat(s.select(facts("10.0.0.1", 80, "10.9.9.9")).name()).isEqualTo("port");
  }
}
