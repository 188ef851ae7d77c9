package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.testing.EgretHarness;
import dev.egret.core.upstream.DnsResolverFactory;
import dev.egret.core.upstream.TestDnsServer;
import java.net.BindException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * STRICT_DNS and LOGICAL_DNS clusters end to end: a DNS server on 127.0.0.1 answers with 127.0.0.2
 * and 127.0.0.3, where two upstreams listen on the same port (Linux routes all of 127/8 to loopback),
 * and requests through Egret show which address each one reached.
 */
class DnsClusterIntegrationTest {
  static final Duration DEADLINE = Duration.ofSeconds(5);
  static final String STRICT = "svc-strict.egret.test";
  static final String LOGICAL = "svc-logical.egret.test";
  static final String OWN = "svc-own.egret.test";

  static final String LISTENER = """
      static_resources:
        listeners:
        - name: egress
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: egress_http
                route_config:
                  name: routes
                  virtual_hosts:
                  - name: strict
                    domains: ["strict.example.com"]
                    routes: [ { match: { prefix: "/" }, route: { cluster: strict } } ]
                  - name: logical
                    domains: ["logical.example.com"]
                    routes: [ { match: { prefix: "/" }, route: { cluster: logical } } ]
                  - name: own
                    domains: ["own.example.com"]
                    routes: [ { match: { prefix: "/" }, route: { cluster: own } } ]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        clusters:
      """;

  static final String STRICT_AND_LOGICAL = LISTENER + """
        - name: strict
          type: STRICT_DNS
          connect_timeout: 1s
          dns_refresh_rate: 0.05s
          dns_lookup_family: V4_ONLY
          load_assignment:
            cluster_name: strict
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: svc-strict.egret.test, port_value: ${PORT} } } }
        - name: logical
          type: LOGICAL_DNS
          connect_timeout: 1s
          dns_refresh_rate: 0.05s
          load_assignment:
            cluster_name: logical
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: svc-logical.egret.test, port_value: ${PORT} } } }
        - name: own
          type: STATIC
          load_assignment:
            cluster_name: own
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${PORT} } } }
      """;

  /** The cluster names its own name server; Egret itself runs with the platform resolver. */
  static final String OWN_RESOLVER = LISTENER + """
        - name: strict
          type: STATIC
        - name: logical
          type: STATIC
        - name: own
          type: STRICT_DNS
          connect_timeout: 1s
          dns_refresh_rate: 0.05s
          dns_lookup_family: V4_ONLY
          typed_dns_resolver_config:
            name: envoy.network.dns_resolver.cares
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig
              resolvers:
              - socket_address: { address: 127.0.0.1, port_value: ${DNS_PORT} }
              dns_resolver_options: { no_default_search_domain: true }
          load_assignment:
            cluster_name: own
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: svc-own.egret.test, port_value: ${PORT} } } }
      """;

  static TestDnsServer dns;
  static DemoUpstream up2;
  static DemoUpstream up3;
  static EgretHarness egret;

  @BeforeAll
  static void start() throws Exception {
    dns = new TestDnsServer();
    startUpstreamsOnOnePort();
    egret = new EgretHarness(STRICT_AND_LOGICAL, Map.of("PORT", up2.port()),
        DnsResolverFactory.nameServer(dns.address()));
  }

  /** up2 on 127.0.0.2 and up3 on 127.0.0.3, same port; a few tries in case the port is taken on .3. */
  private static void startUpstreamsOnOnePort() throws Exception {
    for (int attempt = 1; ; attempt++) {
      up2 = DemoUpstream.http1("up2", "127.0.0.2", 0);
      try {
        up3 = DemoUpstream.http1("up3", "127.0.0.3", up2.port());
        return;
      } catch (Exception e) { // Netty rethrows the BindException as it is
        up2.close();
        up2 = null;
        if (!(e instanceof BindException) || attempt == 5) {
          throw e;
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (egret != null) {
      egret.close();
    }
    if (up2 != null) {
      up2.close();
    }
    if (up3 != null) {
      up3.close();
    }
    if (dns != null) {
      dns.close();
    }
  }

  /** Which upstream answered a GET through {@code harness} for {@code host}, or the status when none did. */
  private static String reached(EgretHarness harness, String host) throws Exception {
    HttpResponse<String> r = harness.get("egress", host, "/");
    return r.statusCode() == 200 ? r.headers().firstValue("x-upstream-name").orElse("?")
        : String.valueOf(r.statusCode());
  }

  /**
   * Sends requests until {@code n} in a row reached {@code upstream}; fails at the deadline with what
   * was seen. Returns every answer seen.
   */
  private static List<String> awaitInARow(EgretHarness harness, String host, String upstream, int n)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    List<String> seen = new ArrayList<>();
    int inARow = 0;
    while (inARow < n && System.nanoTime() < deadline) {
      String who = reached(harness, host);
      seen.add(who);
      inARow = who.equals(upstream) ? inARow + 1 : 0;
      if (inARow == 0 && !who.startsWith("up")) {
        Thread.sleep(10); // 503 until the first answer is in: poll, with the deadline above
      }
    }
    assertThat(inARow).as("%d requests in a row to %s reaching %s; saw %d answers, the last ones %s", n, host,
        upstream, seen.size(), seen.subList(Math.max(0, seen.size() - 10), seen.size())).isEqualTo(n);
    return seen;
  }

  @Test
  void strictDnsRoundRobinsOverEveryAddressThenFollowsTheAnswer() throws Exception {
    dns.answer(STRICT, 0, "127.0.0.2", "127.0.0.3");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Set<String> reached = new LinkedHashSet<>();
    while (reached.size() < 2 && System.nanoTime() < deadline) {
      String who = reached(egret, "strict.example.com");
      if (who.startsWith("up")) {
        reached.add(who);
      } else {
        Thread.sleep(10);
      }
    }
    assertThat(reached).containsExactlyInAnyOrder("up2", "up3");
    List<String> next = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      next.add(reached(egret, "strict.example.com"));
    }
    assertThat(next).as("round robin over two hosts alternates")
        .isIn(List.of("up2", "up3", "up2", "up3"), List.of("up3", "up2", "up3", "up2"));

    dns.answer(STRICT, 0, "127.0.0.3");
    awaitInARow(egret, "strict.example.com", "up3", 6);
  }

  @Test
  void logicalDnsUsesOnlyTheFirstAddressThenFollowsTheAnswer() throws Exception {
    dns.answer(LOGICAL, 0, "127.0.0.2", "127.0.0.3");
    List<String> seen = awaitInARow(egret, "logical.example.com", "up2", 6);
    assertThat(seen).doesNotContain("up3");
    int asked = dns.questions(LOGICAL);

    dns.answer(LOGICAL, 0, "127.0.0.3", "127.0.0.2");
    assertThat(dns.awaitQuestions(LOGICAL, asked + 1, DEADLINE)).isTrue();
    awaitInARow(egret, "logical.example.com", "up3", 6);
  }

  @Test
  void clusterWithItsOwnCaresResolversAsksThem() throws Exception {
    dns.answer(OWN, 0, "127.0.0.3");
    try (EgretHarness own = new EgretHarness(OWN_RESOLVER,
        Map.of("PORT", up2.port(), "DNS_PORT", dns.address().getPort()))) {
      awaitInARow(own, "own.example.com", "up3", 3);
    }
    assertThat(dns.questions(OWN)).isPositive();
  }
}
