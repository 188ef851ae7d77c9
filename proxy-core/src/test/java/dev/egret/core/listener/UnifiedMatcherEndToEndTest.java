package dev.egret.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.H2cClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A listener run as Istio shapes main_internal, on a real socket: {@code original_dst} (no redirect:
 * the local address stays) and {@code http_inspector} run first, then the unified
 * {@code filter_chain_matcher} picks a chain by destination IP ({@code IPMatcher}), port and sniffed
 * application protocol, with {@code on_no_match} for anything that is not HTTP.
 */
class UnifiedMatcherEndToEndTest {
  static final String P = "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.";
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: sniffing
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          listener_filters:
          - name: envoy.filters.listener.original_dst
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst }
          - name: envoy.filters.listener.http_inspector
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector }
          filter_chain_matcher:
            matcher_tree:
              input: { name: ip, typed_config: { "@type": "${P}DestinationIPInput" } }
              custom_match:
                name: ip
                typed_config:
                  "@type": type.googleapis.com/xds.type.matcher.v3.IPMatcher
                  range_matchers:
                  - ranges: [ { address_prefix: 127.0.0.1, prefix_len: 32 } ]
                    on_match:
                      matcher:
                        matcher_tree:
                          input: { name: proto, typed_config: { "@type": "${P}ApplicationProtocolInput" } }
                          exact_match_map:
                            map:
                              "'http/1.1'": { action: { name: h1, typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: chain-h1 } } }
                              "'h2c'": { action: { name: h2, typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: chain-h2c } } }
                        on_no_match: { action: { name: other, typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: chain-other } } }
          filter_chains:
          - name: chain-h1
            filters: [ ${HCM_H1} ]
          - name: chain-h2c
            filters: [ ${HCM_H2C} ]
          - name: chain-other
            filters: [ ${HCM_OTHER} ]
      """;

  static String hcm(String body) {
    return """
        { name: hcm, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager,
          stat_prefix: %s,
          access_log: [ { name: log, typed_config: { "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog, path: "${ACCESS_LOG}",
            log_format: { text_format_source: { inline_string: "%s %%PROTOCOL%% %%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%%\\n" } } } } ],
          route_config: { virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "%s" } } } ] } ] },
          http_filters: [ { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } } ] } }
        """.formatted(body, body, body).replace("\n", " ");
  }

  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    String yaml = CONFIG.replace("${HCM_H1}", hcm("h1")).replace("${HCM_H2C}", hcm("h2c"))
        .replace("${HCM_OTHER}", hcm("other")); // before the harness fills in ${ACCESS_LOG}
    egret = new EgretHarness(yaml, Map.of("P", P));
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
  }

  @Test
  void http1AndPriorKnowledgeH2cReachTheirChainsByTheSniffedProtocol() throws Exception {
    HttpResponse<String> h1 = egret.get("sniffing", "svc", "/");
    assertThat(h1.body()).isEqualTo("h1");
    try (H2cClient h2 = new H2cClient(egret.port("sniffing"))) {
      H2cClient.Response r = h2.get("svc", "/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("h2c");
    }
    List<String> want = List.of("h1 HTTP/1.1 127.0.0.1", "h2c HTTP/2 127.0.0.1");
    List<String> lines = egret.awaitLogLines(2); // the other test may log too, in any order
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!lines.containsAll(want) && System.nanoTime() < deadline) {
      lines = egret.awaitLogLines(lines.size() + 1);
    }
    assertThat(lines).containsAll(want);
  }

  @Test
  void http10IsNotInTheMapSoOnNoMatchPicksTheOtherChain() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", egret.port("sniffing"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.0\r\nHost: svc\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String resp = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(resp).startsWith("HTTP/1.0 200").endsWith("other");
    }
  }
}
