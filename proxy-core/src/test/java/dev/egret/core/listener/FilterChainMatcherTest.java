package dev.egret.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.xds.type.matcher.v3.Matcher;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FilterChainMatcherTest {
  static final Path ISTIO_DUMP = Path.of("..", "..", "shared", "testdata", "istio", "istio", "istioctl", "pkg",
      "proxyconfig", "testdata", "config_dump.json");
  static final Set<String> ISTIO_CHAINS = Set.of("inbound-vip|8000||httpbin.default.svc.cluster.local-http",
      "inbound-vip|8100||httpbin.default.svc.cluster.local-http", "direct-tcp", "direct-http");

  /** The {@code filter_chain_matcher} of {@code main_internal} in Istio's waypoint config dump, as it is. */
  static String istioMainInternalMatcherJson() throws Exception {
    JsonObject dump = new Gson().fromJson(Files.readString(ISTIO_DUMP), JsonObject.class);
    for (JsonElement c : dump.getAsJsonArray("configs")) {
      JsonArray dynamic = c.getAsJsonObject().getAsJsonArray("dynamic_listeners");
      if (dynamic == null) {
        continue;
      }
      for (JsonElement l : dynamic) {
        JsonObject listener = l.getAsJsonObject().getAsJsonObject("active_state").getAsJsonObject("listener");
        if (listener.get("name").getAsString().equals("main_internal")) {
          return listener.get("filter_chain_matcher").toString();
        }
      }
    }
    throw new AssertionError("no main_internal in " + ISTIO_DUMP);
  }

  private static FilterChainMatcher compile(String json, Set<String> chains) throws Exception {
    Matcher m = BootstrapLoader.parse(json, "test", Matcher.newBuilder()).build();
    ConfigPath at = ConfigPath.root("listener");
    FilterChainMatcher fcm = FilterChainMatcherCompiler.compile(m, at.field("filter_chain_matcher"), chains);
    assertThat(at.errors()).isEmpty();
    return fcm;
  }

  private static ConnectionFacts to(String ip, int port, String... alpn) {
    ConnectionFacts f = ConnectionFacts.accepted(new InetSocketAddress(ip, port), new InetSocketAddress("10.0.0.9", 4444));
    f.setApplicationProtocols(List.of(alpn));
    return f;
  }

  @Test
  void istioMainInternalMatcherPicksChainsByVipPortAndSniffedProtocol() throws Exception {
    FilterChainMatcher m = compile(istioMainInternalMatcherJson(), ISTIO_CHAINS);
    assertThat(m.match(to("10.104.171.68", 8000))).isEqualTo("inbound-vip|8000||httpbin.default.svc.cluster.local-http");
    assertThat(m.match(to("10.104.171.68", 8100))).isEqualTo("inbound-vip|8100||httpbin.default.svc.cluster.local-http");
    assertThat(m.match(to("10.104.171.68", 9999))).as("unknown port of a known VIP").isNull();
    assertThat(m.match(to("10.104.171.69", 8000))).as("unknown VIP").isNull();
    // the pod IP: http_inspector's answer decides between the HTTP and the TCP chain
    assertThat(m.match(to("192.168.195.248", 8080, "http/1.1"))).isEqualTo("direct-http");
    assertThat(m.match(to("192.168.195.248", 8080, "h2c"))).isEqualTo("direct-http");
    assertThat(m.match(to("192.168.195.248", 8080))).isEqualTo("direct-tcp");
    assertThat(m.match(to("192.168.195.248", 8080, "http/1.0"))).isEqualTo("direct-tcp");
  }

  @Test
  void aMatcherNamingAMissingChainCompilesAndFallsToTheDefaultChain() throws Exception {
    // Envoy: an action naming no chain is not an error; the match fails at run time
    Matcher m = BootstrapLoader.parse(istioMainInternalMatcherJson(), "test", Matcher.newBuilder()).build();
    ConfigPath at = ConfigPath.root("listener");
    FilterChainMatcher compiled = FilterChainMatcherCompiler.compile(m, at.field("filter_chain_matcher"),
        Set.of("direct-tcp", "direct-http"));
    assertThat(at.errors()).isEmpty();
    assertThat(compiled).isNotNull();
  }

  private static final String P = "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.";

  private static String action(String name) {
    return "{action: {name: a, typed_config: {'@type': 'type.googleapis.com/google.protobuf.StringValue', value: '"
        + name + "'}}}";
  }

  @Test
  void matcherListWithAndOrNotPredicatesAndFilterState() throws Exception {
    String json = "{matcher_list: {matchers: ["
        + "{predicate: {and_matcher: {predicate: ["
        + "  {single_predicate: {input: {name: sni, typed_config: {'@type': '" + P + "ServerNameInput'}},"
        + "                      value_match: {suffix: '.example.com'}}},"
        + "  {not_matcher: {single_predicate: {input: {name: t, typed_config: {'@type': '" + P + "TransportProtocolInput'}},"
        + "                      value_match: {exact: raw_buffer}}}}]}},"
        + " on_match: " + action("tls-example") + "},"
        + "{predicate: {or_matcher: {predicate: ["
        + "  {single_predicate: {input: {name: fs, typed_config: {'@type': '" + P + "FilterStateInput', key: io.istio.connect_authority}},"
        + "                      value_match: {exact: 'svc.ns:80'}}},"
        + "  {single_predicate: {input: {name: src, typed_config: {'@type': '" + P + "SourceIPInput'}},"
        + "                      custom_match: {name: ip, typed_config: {'@type': 'type.googleapis.com/xds.type.matcher.v3.IPMatcher',"
        + "                        range_matchers: [{ranges: [{address_prefix: '10.0.0.0', prefix_len: 8}]}]}}}}]}},"
        + " on_match: " + action("by-authority-or-source") + "}]},"
        + "on_no_match: " + action("fallback") + "}";
    FilterChainMatcher m = compile(json, Set.of("tls-example", "by-authority-or-source", "fallback"));
    ConnectionFacts tls = ConnectionFacts.accepted(new InetSocketAddress("1.1.1.1", 443), new InetSocketAddress("8.8.8.8", 1));
    tls.setServerName("api.example.com");
    tls.setTransportProtocol("tls");
    assertThat(m.match(tls)).isEqualTo("tls-example");
    tls.setTransportProtocol(null); // raw_buffer: the not_matcher fails
    assertThat(m.match(tls)).isEqualTo("fallback");
    tls.filterState().setString("io.istio.connect_authority", "svc.ns:80");
    assertThat(m.match(tls)).isEqualTo("by-authority-or-source");
    ConnectionFacts inside = ConnectionFacts.accepted(new InetSocketAddress("1.1.1.1", 80), new InetSocketAddress("10.3.4.5", 1));
    assertThat(m.match(inside)).isEqualTo("by-authority-or-source");
  }

  @Test
  void prefixMapTriesLongestPrefixFirstAndFallsBackWhenNestedMatcherFails() throws Exception {
    String json = "{matcher_tree: {input: {name: sni, typed_config: {'@type': '" + P + "ServerNameInput'}},"
        + " prefix_match_map: {map: {"
        + "  'api.': " + action("api") + ","
        + "  'api.internal': {matcher: {matcher_tree: {input: {name: p, typed_config: {'@type': '" + P + "DestinationPortInput'}},"
        + "     exact_match_map: {map: {'8443': " + action("internal-8443") + "}}}}}}}},"
        + " on_no_match: " + action("other") + "}";
    FilterChainMatcher m = compile(json, Set.of("api", "internal-8443", "other"));
    ConnectionFacts f = to("10.0.0.1", 8443);
    f.setServerName("api.internal.example");
    assertThat(m.match(f)).isEqualTo("internal-8443");
    ConnectionFacts g = to("10.0.0.1", 443);
    g.setServerName("api.internal.example");
    assertThat(m.match(g)).as("nested no-match falls back to the shorter prefix").isEqualTo("api");
    ConnectionFacts h = to("10.0.0.1", 443);
    assertThat(m.match(h)).as("no SNI: no data").isEqualTo("other");
  }

  @Test
  void ipMatcherPrefersTheMostSpecificRangeAndHonoursExclusive() throws Exception {
    String ipm = "{'@type': 'type.googleapis.com/xds.type.matcher.v3.IPMatcher', range_matchers: ["
        + "{ranges: [{address_prefix: '10.0.0.0', prefix_len: 8}], on_match: " + action("wide") + "},"
        + "{ranges: [{address_prefix: '10.1.0.0', prefix_len: 16}], on_match: {matcher: {matcher_tree: {"
        + "   input: {name: p, typed_config: {'@type': '" + P + "DestinationPortInput'}},"
        + "   exact_match_map: {map: {'80': " + action("narrow-80") + "}}}}}},"
        + "{ranges: [{address_prefix: '10.2.0.0', prefix_len: 16}], exclusive: true, on_match: {matcher: {matcher_tree: {"
        + "   input: {name: p, typed_config: {'@type': '" + P + "DestinationPortInput'}},"
        + "   exact_match_map: {map: {'80': " + action("exclusive-80") + "}}}}}},"
        + "{ranges: [{address_prefix: '2001:db8::', prefix_len: 32}], on_match: " + action("v6") + "}]}";
    String json = "{matcher_tree: {input: {name: ip, typed_config: {'@type': '" + P + "DestinationIPInput'}},"
        + " custom_match: {name: ip, typed_config: " + ipm + "}}}";
    FilterChainMatcher m = compile(json, Set.of("wide", "narrow-80", "exclusive-80", "v6"));
    assertThat(m.match(to("10.1.2.3", 80))).isEqualTo("narrow-80");
    assertThat(m.match(to("10.1.2.3", 81))).isEqualTo("wide");
    assertThat(m.match(to("10.2.2.3", 80))).isEqualTo("exclusive-80");
    assertThat(m.match(to("10.2.2.3", 81))).isNull();
    assertThat(m.match(to("2001:db8::7", 1))).isEqualTo("v6");
    assertThat(m.match(to("11.0.0.1", 80))).isNull();
  }

  @Test
  void unsupportedInputAndCustomMatcherAreRejectedWithPaths() throws Exception {
    String json = "{matcher_tree: {input: {name: x, typed_config: {'@type': '" + P + "DynamicMetadataInput', filter: f}},"
        + " exact_match_map: {map: {'a': " + action("c") + "}}}}";
    Matcher m = BootstrapLoader.parse(json, "test", Matcher.newBuilder()).build();
    ConfigPath at = ConfigPath.root("l");
    assertThat(FilterChainMatcherCompiler.compile(m, at, Set.of("c"))).isNull();
    assertThat(at.errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).endsWith("matcher_tree.input.typed_config");
      assertThat(e.message()).contains("DynamicMetadataInput").contains("not supported");
    });
  }
}
