package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A cluster's {@code typed_dns_resolver_config} (c-ares resolvers) compiles into its DNS settings. */
class ClusterDnsResolverConfigTest {
  private static ClusterConfig compile(String yaml) throws Exception {
    Cluster c = BootstrapLoader.parse(yaml, "cluster.yaml", Cluster.newBuilder()).build();
    ConfigPath at = ConfigPath.root("");
    ClusterConfig config = ClusterCompiler.compile(c, at);
    assertThat(at.errors()).isEmpty();
    return config;
  }

  static final String CLUSTER = """
      name: c
      type: STRICT_DNS
      load_assignment:
        endpoints:
        - lb_endpoints:
          - endpoint: { address: { socket_address: { address: svc.example.com, port_value: 80 } } }
      """;

  @Test
  void caresResolversAreAskedInOrderAndPortZeroMeans53() throws Exception {
    ClusterConfig c = compile(CLUSTER + """
        typed_dns_resolver_config:
          name: envoy.network.dns_resolver.cares
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig
            resolvers:
            - socket_address: { address: 127.0.0.53, port_value: 5353 }
            - socket_address: { address: "::1" }
        """);
    assertThat(c.dns().resolvers()).containsExactly(new InetSocketAddress("127.0.0.53", 5353),
        new InetSocketAddress("::1", 53));
    assertThat(c.dns().searchDomains()).isTrue();
  }

  @Test
  void noDefaultSearchDomainDropsThePlatformSearchDomains() throws Exception {
    ClusterConfig c = compile(CLUSTER + """
        typed_dns_resolver_config:
          name: envoy.network.dns_resolver.cares
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig
            resolvers: [ { socket_address: { address: 127.0.0.53, port_value: 53 } } ]
            dns_resolver_options: { no_default_search_domain: true }
        """);
    assertThat(c.dns().searchDomains()).isFalse();
  }

  @Test
  void withoutResolverConfigTheStartedResolverIsUsed() throws Exception {
    ClusterConfig c = compile(CLUSTER);
    assertThat(c.dns().resolvers()).isEmpty();
    DnsResolverFactory started = loop -> null;
    assertThat(c.dns().resolverOr(started)).isSameAs(started);
  }

  @Test
  void unsupportedCaresOptionsAreRejected() throws Exception {
    Cluster c = BootstrapLoader.parse(CLUSTER + """
        typed_dns_resolver_config:
          name: envoy.network.dns_resolver.cares
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig
            resolvers: [ { socket_address: { address: 127.0.0.53, port_value: 53 } } ]
            query_tries: 3
            dns_resolver_options: { use_tcp_for_dns_lookups: true }
        """, "cluster.yaml", Cluster.newBuilder()).build();
    ConfigPath at = ConfigPath.root("");
    assertThat(ClusterCompiler.compile(c, at)).isNull();
    assertThat(at.errors()).extracting(Object::toString).containsExactly(
        "typed_dns_resolver_config.typed_config.query_tries: field 'query_tries' of "
            + "envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig is not supported by Egret",
        "typed_dns_resolver_config.typed_config.dns_resolver_options.use_tcp_for_dns_lookups: field "
            + "'use_tcp_for_dns_lookups' of envoy.config.core.v3.DnsResolverOptions is not supported by Egret");
  }
}
