package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.UpstreamHttpProtocolOptions;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.AutoHttpConfig;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterCompilerTest {
  private static final DnsResolverFactory NO_DNS = loop -> {
    throw new AssertionError("no DNS expected");
  };
  private final Stats stats = new Stats();

  static LbEndpoint lbEndpoint(String address, int port, int weight) {
    LbEndpoint.Builder b = LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
        Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))));
    if (weight > 0) {
      b.setLoadBalancingWeight(UInt32Value.of(weight));
    }
    return b.build();
  }

  static Cluster.Builder cluster(String name, Cluster.DiscoveryType type, LbEndpoint... endpoints) {
    return Cluster.newBuilder().setName(name).setType(type).setLoadAssignment(ClusterLoadAssignment.newBuilder()
        .setClusterName(name).addEndpoints(LocalityLbEndpoints.newBuilder().addAllLbEndpoints(List.of(endpoints))));
  }

  private UpstreamCluster compile(Cluster c) throws ConfigException {
    ConfigPath at = ConfigPath.root("clusters[0]");
    UpstreamCluster u = UpstreamCluster.compile(c, at, NO_DNS, stats);
    at.throwIfErrors();
    assertThat(u).isNotNull();
    return u;
  }

  private List<ConfigError> errors(Cluster c) {
    ConfigPath at = ConfigPath.root("clusters[0]");
    assertThat(UpstreamCluster.compile(c, at, NO_DNS, stats)).isNull();
    assertThat(at.errors()).isNotEmpty();
    return at.errors();
  }

  @Test
  void staticClusterRoundRobinsExactlyByWeight() throws Exception {
    UpstreamCluster u = compile(cluster("web", Cluster.DiscoveryType.STATIC,
        lbEndpoint("127.0.0.1", 8001, 1), lbEndpoint("127.0.0.2", 8002, 3), lbEndpoint("::1", 8003, 0)).build());
    assertThat(u.initialized()).isCompleted();
    assertThat(u.hosts().hosts()).extracting(Host::addressString)
        .containsExactly("127.0.0.1:8001", "127.0.0.2:8002", "[::1]:8003");
    assertThat(u.hosts().hosts()).extracting(Host::weight).containsExactly(1, 3, 1);
    Map<Host, Integer> counts = new IdentityHashMap<>();
    for (int i = 0; i < 500; i++) {
      counts.merge(u.chooseHost(), 1, Integer::sum);
    }
    assertThat(counts.values()).containsExactlyInAnyOrder(100, 300, 100);
    assertThat(counts.get(u.hosts().get(1))).isEqualTo(300);
    assertThat(u.stats().membershipChange.value()).isEqualTo(1);
  }

  @Test
  void defaultsFollowEnvoy() throws Exception {
    UpstreamCluster u = compile(cluster("d", Cluster.DiscoveryType.STATIC, lbEndpoint("10.0.0.1", 80, 0)).build());
    ClusterConfig c = u.config();
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.lbPolicy()).isEqualTo(LbPolicy.ROUND_ROBIN);
    assertThat(c.choiceCount()).isEqualTo(2);
    assertThat(c.perConnectionBufferLimitBytes()).isEqualTo(1024 * 1024);
    assertThat(c.httpProtocol()).isEqualTo(UpstreamHttpProtocol.DEFAULT);
    assertThat(c.httpProtocol().idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(c.dns()).isEqualTo(DnsSettings.DEFAULT);
    assertThat(c.transportSocket()).isNull();
    assertThat(c.tlsContext()).isNull();
    assertThat(c.statName()).isEqualTo("d");
  }

  @Test
  void emptyStaticClusterHasNoHostAndChoosesNull() throws Exception {
    UpstreamCluster u = compile(Cluster.newBuilder().setName("none").build());
    assertThat(u.hosts().isEmpty()).isTrue();
    assertThat(u.chooseHost()).isNull();
  }

  @Test
  void supportedFieldsAreCompiled() throws Exception {
    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions http =
        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
            .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setIdleTimeout(Durations.fromSeconds(30)))
            .setUpstreamHttpProtocolOptions(UpstreamHttpProtocolOptions.newBuilder().setAutoSni(true)
                .setAutoSanValidation(true).setOverrideAutoSniHeader(":authority"))
            .setExplicitHttpConfig(ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(
                Http2ProtocolOptions.newBuilder().setMaxConcurrentStreams(UInt32Value.of(100))))
            .build();
    UpstreamTlsContext tls = UpstreamTlsContext.newBuilder().setSni("api.example.com").build();
    Cluster c = cluster("ext", Cluster.DiscoveryType.STRICT_DNS, lbEndpoint("api.example.com", 443, 0))
        .setAltStatName("ext_stats")
        .setConnectTimeout(Durations.fromMillis(250))
        .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
        .setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(3)))
        .setCommonLbConfig(Cluster.CommonLbConfig.getDefaultInstance())
        .setDnsRefreshRate(Durations.fromSeconds(60))
        .setDnsFailureRefreshRate(Cluster.RefreshRate.newBuilder().setBaseInterval(Durations.fromSeconds(2)))
        .setRespectDnsTtl(true)
        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
        .setPerConnectionBufferLimitBytes(UInt32Value.of(32768))
        .putTypedExtensionProtocolOptions(UpstreamHttpProtocol.EXTENSION, Any.pack(http))
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
            .setTypedConfig(Any.pack(tls)))
        .build();
    ClusterConfig cfg = compile(c).config();
    assertThat(cfg.type()).isEqualTo(DiscoveryType.STRICT_DNS);
    assertThat(cfg.statName()).isEqualTo("ext_stats");
    assertThat(cfg.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(cfg.lbPolicy()).isEqualTo(LbPolicy.LEAST_REQUEST);
    assertThat(cfg.choiceCount()).isEqualTo(3);
    assertThat(cfg.endpoints()).containsExactly(new dev.egret.core.upstream.Endpoint("api.example.com", 443, 1));
    assertThat(cfg.dns()).isEqualTo(new DnsSettings(Duration.ofSeconds(60), Duration.ofSeconds(2),
        Duration.ofSeconds(20), true, DnsLookupFamily.V4_ONLY));
    assertThat(cfg.perConnectionBufferLimitBytes()).isEqualTo(32768);
    assertThat(cfg.httpProtocol()).isEqualTo(new UpstreamHttpProtocol(UpstreamHttpProtocol.Version.HTTP2,
        Duration.ofSeconds(30), true, true, ":authority", 100));
    assertThat(cfg.tlsContext()).isEqualTo(tls);
    assertThat(cfg.transportSocket()).isEqualTo(c.getTransportSocket());
    assertThat(cfg.source()).isSameAs(c);
  }

  @Test
  void autoConfigMeansAlpn() throws Exception {
    Any http = Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
        .setAutoConfig(AutoHttpConfig.newBuilder().setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
        .build());
    Cluster c = cluster("a", Cluster.DiscoveryType.STATIC, lbEndpoint("10.0.0.1", 443, 0))
        .putTypedExtensionProtocolOptions(UpstreamHttpProtocol.EXTENSION, http)
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer"))
        .build();
    ClusterConfig cfg = compile(c).config();
    assertThat(cfg.httpProtocol().version()).isEqualTo(UpstreamHttpProtocol.Version.AUTO);
    assertThat(cfg.httpProtocol().http2MaxConcurrentStreams()).isEqualTo(1024);
    assertThat(cfg.tlsContext()).isNull();
  }

  @Test
  void unknownDiscoveryTypeIsRejectedAtTheTypeField() {
    List<ConfigError> errors = errors(Cluster.newBuilder().setName("x").setTypeValue(99).build());
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo("clusters[0].type");
      assertThat(e.resource()).isEqualTo("x");
      assertThat(e.message()).contains("unknown cluster discovery type 99");
    });
  }

  @Test
  void unsupportedFieldsAreRejectedByPath() {
    Cluster c = cluster("x", Cluster.DiscoveryType.STATIC, LbEndpoint.newBuilder(lbEndpoint("10.0.0.1", 80, 0))
        .setMetadata(Metadata.newBuilder().putTypedFilterMetadata("istio", com.google.protobuf.Any.getDefaultInstance()))
        .build())
        .addHealthChecks(io.envoyproxy.envoy.config.core.v3.HealthCheck.getDefaultInstance())
        .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setUpdateMergeWindow(Durations.fromSeconds(1)))
        .build();
    assertThat(errors(c)).extracting(ConfigError::path).containsExactlyInAnyOrder(
        "clusters[0].health_checks",
        "clusters[0].common_lb_config.update_merge_window",
        "clusters[0].load_assignment.endpoints[0].lb_endpoints[0].metadata.typed_filter_metadata");
  }

  @Test
  void staticEndpointMustBeAnIpAddress() {
    List<ConfigError> errors = errors(cluster("s", Cluster.DiscoveryType.STATIC,
        lbEndpoint("api.example.com", 443, 0)).build());
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo(
          "clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address");
      assertThat(e.message()).contains("api.example.com").contains("not an IP address");
    });
  }

  @Test
  void missingPortAndAddressAreRejected() {
    List<ConfigError> errors = errors(cluster("p", Cluster.DiscoveryType.STRICT_DNS,
        lbEndpoint("svc.test", 0, 0), lbEndpoint("", 80, 0)).build());
    assertThat(errors).extracting(ConfigError::path).containsExactly(
        "clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value",
        "clusters[0].load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.address");
  }

  @Test
  void logicalDnsNeedsExactlyOneEndpoint() {
    List<ConfigError> errors = errors(cluster("l", Cluster.DiscoveryType.LOGICAL_DNS,
        lbEndpoint("a.test", 80, 0), lbEndpoint("b.test", 80, 0)).build());
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo("clusters[0].load_assignment");
      assertThat(e.message()).contains("LOGICAL_DNS");
    });
  }

  @Test
  void unsupportedPolicyProtocolOptionsAndTransportSocketAreRejected() {
    Any h3 = Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
        .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setMaxRequestsPerConnection(UInt32Value.of(5)))
        .setUseDownstreamProtocolConfig(
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig.getDefaultInstance())
        .build());
    Cluster c = cluster("u", Cluster.DiscoveryType.STATIC, lbEndpoint("10.0.0.1", 80, 0))
        .setLbPolicy(Cluster.LbPolicy.MAGLEV)
        .putTypedExtensionProtocolOptions(UpstreamHttpProtocol.EXTENSION, h3)
        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions", Any.getDefaultInstance())
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.alts"))
        .build();
    String opts = "clusters[0].typed_extension_protocol_options.";
    assertThat(errors(c)).extracting(ConfigError::path).containsExactlyInAnyOrder(
        "clusters[0].lb_policy",
        opts + UpstreamHttpProtocol.EXTENSION + ".use_downstream_protocol_config",
        opts + UpstreamHttpProtocol.EXTENSION + ".common_http_protocol_options.max_requests_per_connection",
        opts + "envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions",
        "clusters[0].transport_socket.name");
  }

  @Test
  void nonPositiveDurationsAndBadChoiceCountAreRejected() {
    Cluster c = cluster("t", Cluster.DiscoveryType.STRICT_DNS, lbEndpoint("a.test", 80, 0))
        .setConnectTimeout(Durations.fromSeconds(0))
        .setDnsRefreshRate(Durations.fromMillis(-5))
        .setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(1)))
        .build();
    assertThat(errors(c)).extracting(ConfigError::path).containsExactlyInAnyOrder(
        "clusters[0].connect_timeout", "clusters[0].dns_refresh_rate",
        "clusters[0].least_request_lb_config.choice_count");
  }

  @Test
  void failureBackOffDoublesUpToItsCap() {
    DnsSettings s = new DnsSettings(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(350), true,
        DnsLookupFamily.AUTO);
    assertThat(List.of(s.afterFailure(1), s.afterFailure(2), s.afterFailure(3), s.afterFailure(9)))
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350), Duration.ofMillis(350));
    assertThat(s.afterSuccess(0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.afterSuccess(30)).isEqualTo(Duration.ofSeconds(30));
    assertThat(DnsSettings.DEFAULT.afterSuccess(30)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void startingAStaticClusterTwiceIsAnError() throws Exception {
    UpstreamCluster u = compile(cluster("twice", Cluster.DiscoveryType.STATIC, lbEndpoint("10.0.0.1", 80, 0)).build());
    io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
    u.start(ch.eventLoop());
    assertThatThrownBy(() -> u.start(ch.eventLoop())).isInstanceOf(IllegalStateException.class);
    u.close();
    ch.finishAndReleaseAll();
  }
}
