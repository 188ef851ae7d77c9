package dev.egret.filters.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.pool.PoolRegistry;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.Stats;
import dev.egret.core.stream.DynamicMetadata;
import dev.egret.core.upstream.DnsResolverFactory;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compiling ExtAuthz: the Istio and kgateway forms load, and what Egret does not implement is rejected
 * with its field path, never ignored.
 */
class ExtAuthzConfigTest {
  static final Path ISTIO = Path.of("/work/shared/testdata/istio/istio/pilot/pkg/security/authz/builder/testdata/http");

  static ClusterRuntime cluster(String yaml) throws Exception {
    Cluster c = BootstrapLoader.parse(yaml, "cluster", Cluster.newBuilder()).build();
    ConfigPath at = ConfigPath.root("cluster");
    ClusterRuntime r = ClusterRuntime.compile(c, at, new Stats(), DnsResolverFactory.system(), new PoolRegistry());
    assertThat(at.errors()).isEmpty();
    return r;
  }

  static final ClusterRuntime PLAIN;
  static final ClusterRuntime TLS;

  static {
    try {
      String endpoints = "load_assignment: { cluster_name: c, endpoints: [{ lb_endpoints: [{ endpoint: { address: "
          + "{ socket_address: { address: 127.0.0.1, port_value: 9000 } } } }] }] }\n";
      PLAIN = cluster("name: authz\ntype: STATIC\n" + endpoints);
      TLS = cluster("name: authz_tls\ntype: STATIC\n" + endpoints + """
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config: { "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext, sni: authz.example }
          """);
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Every name but {@code missing} and {@code authz_tls} is the plain cluster. */
  static final FilterContext CONTEXT = new FilterContext(new Stats(), "test", "envoy.filters.http.ext_authz",
      name -> name.equals("missing") ? null : name.equals("authz_tls") ? TLS : PLAIN);

  static List<String> errors(ExtAuthz proto) {
    ConfigPath at = ConfigPath.root("ext_authz");
    ExtAuthzFilterFactory f = ExtAuthzFilterProvider.compile(proto, at, CONTEXT);
    if (at.errors().isEmpty()) {
      assertThat(f).isNotNull();
    } else {
      assertThat(f).as("factory of an invalid config").isNull();
    }
    return at.errors().stream().map(ConfigError::toString).toList();
  }

  static ExtAuthz parse(String yaml) throws Exception {
    return BootstrapLoader.parse(yaml, "ext_authz", ExtAuthz.newBuilder()).build();
  }

  static ExtAuthz istioGolden(String file) throws Exception {
    HttpFilter f = BootstrapLoader.parse(Files.readString(ISTIO.resolve(file)), file, HttpFilter.newBuilder()).build();
    return f.getTypedConfig().unpack(ExtAuthz.class);
  }

  @Test
  void istioCustomProvidersLoadExceptForRequestBodyBuffering() throws Exception {
    for (String file : List.of("custom-grpc-provider-out2.yaml", "custom-http-provider-out2.yaml")) {
      ExtAuthz golden = istioGolden(file);
      assertThat(errors(golden)).as(file).containsExactly("ext_authz.with_request_body: with_request_body is not "
          + "supported by Egret yet: its HTTP filter API cannot buffer a request body for a filter (checks carry "
          + "headers only)");
      assertThat(errors(golden.toBuilder().clearWithRequestBody().build())).as(file).isEmpty();
    }
  }

  @Test
  void kgatewayGrpcProviderLoads() throws Exception {
    // pkg/kgateway/translator/gateway/testutils/outputs/traffic-policy/extauth-grpc.yaml
    assertThat(errors(parse("""
        filterEnabledMetadata:
          filter: dev.kgateway.disable_ext_auth
          invert: true
          path: [ { key: disable } ]
          value: { boolMatch: true }
        grpcService: { envoyGrpc: { clusterName: kube_infra_ext-authz_9000 } }
        statusOnError: { code: Forbidden }
        """))).isEmpty();
  }

  @Test
  void unsupportedFieldsAreRejectedWithTheirPaths() throws Exception {
    assertThat(errors(parse("""
        include_peer_certificate: true
        encode_raw_headers: true
        grpc_service:
          envoy_grpc: { cluster_name: authz, retry_policy: { num_retries: 2 } }
        """))).containsExactlyInAnyOrder(
            "ext_authz.include_peer_certificate: field 'include_peer_certificate' of "
                + "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz is not supported by Egret",
            "ext_authz.encode_raw_headers: field 'encode_raw_headers' of "
                + "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz is not supported by Egret",
            "ext_authz.grpc_service.envoy_grpc.retry_policy: field 'retry_policy' of "
                + "envoy.config.core.v3.GrpcService.EnvoyGrpc is not supported by Egret");
    assertThat(errors(parse("""
        grpc_service:
          google_grpc: { target_uri: "127.0.0.1:9000", stat_prefix: authz, channel_credentials: { local_credentials: {} } }
        """))).containsExactly("ext_authz.grpc_service.google_grpc.channel_credentials: field 'channel_credentials' of "
            + "envoy.config.core.v3.GrpcService.GoogleGrpc is not supported by Egret");
    assertThat(errors(parse("""
        http_service:
          server_uri: { uri: "http://authz", cluster: authz, timeout: 1s }
          authorization_request: { allowed_headers: { patterns: [ { exact: x } ] } }
        """))).containsExactly("ext_authz.http_service.authorization_request.allowed_headers: field 'allowed_headers' of "
            + "envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest is not supported by Egret");
  }

  @Test
  void missingServiceUnknownClusterTlsClusterAndMissingTimeoutAreReported() throws Exception {
    assertThat(errors(parse("failure_mode_allow: true"))).containsExactly(
        "ext_authz: one of grpc_service or http_service is required");
    assertThat(errors(parse("grpc_service: { envoy_grpc: { cluster_name: missing } }"))).containsExactly(
        "ext_authz.grpc_service.envoy_grpc.cluster_name: cluster 'missing' is not defined");
    assertThat(errors(parse("grpc_service: { envoy_grpc: { cluster_name: authz_tls } }"))).containsExactly(
        "ext_authz.grpc_service.envoy_grpc.cluster_name: cluster 'authz_tls' uses TLS, which Egret's gRPC "
            + "authorization client does not speak yet");
    assertThat(errors(parse("http_service: { server_uri: { uri: 'http://authz', cluster: authz }, path_prefix: check }")))
        .containsExactlyInAnyOrder("ext_authz.http_service.server_uri.timeout: timeout is required",
            "ext_authz.http_service.path_prefix: path_prefix must start with '/'");
    assertThat(errors(parse("grpc_service: { envoy_grpc: { cluster_name: authz } }\ntransport_api_version: V2")))
        .containsExactly("ext_authz.transport_api_version: only V3 is supported");
  }

  @Test
  void perRouteConfigDisablesOrCarriesContextExtensions() throws Exception {
    ExtAuthzFilterProvider p = new ExtAuthzFilterProvider();
    ConfigPath at = ConfigPath.root("route");
    assertThat(p.compilePerRoute(Any.pack(ExtAuthzPerRoute.newBuilder().setDisabled(true).build()), at, CONTEXT))
        .isSameAs(PerFilterConfig.DISABLED);
    Object settings = p.compilePerRoute(Any.pack(BootstrapLoader.parse(
        "check_settings: { context_extensions: { k: v } }", "per-route", ExtAuthzPerRoute.newBuilder()).build()),
        at, CONTEXT);
    assertThat(settings).isEqualTo(new RouteSettings(Map.of("k", "v")));
    assertThat(at.errors()).isEmpty();
    Object bad = p.compilePerRoute(Any.pack(BootstrapLoader.parse(
        "check_settings: { with_request_body: { max_request_bytes: 128 } }", "per-route",
        ExtAuthzPerRoute.newBuilder()).build()), at, CONTEXT);
    assertThat(bad).isNull();
    assertThat(at.errors()).singleElement().satisfies(e -> assertThat(e.toString())
        .startsWith("route.check_settings.with_request_body: with_request_body is not supported"));
  }

  @Test
  void filterEnabledMetadataMatchesIstiosShadowPolicyIdPrefixAndKgatewaysInvertedFlag() throws Exception {
    ExtAuthz istio = istioGolden("custom-grpc-provider-out2.yaml");
    ConfigPath at = ConfigPath.root("m");
    EnabledMetadata custom = EnabledMetadata.compile(istio.getFilterEnabledMetadata(), at);
    DynamicMetadata md = new DynamicMetadata(null);
    assertThat(custom.matches(md)).as("no RBAC shadow result: not called").isFalse();
    md.merge("envoy.filters.http.rbac", Struct.newBuilder().putFields("istio_ext_authz_shadow_effective_policy_id",
        Value.newBuilder().setStringValue("istio-ext-authz-default-ns[foo]-policy[x]-rule[0]").build()).build());
    assertThat(custom.matches(md)).isTrue();

    EnabledMetadata kgw = EnabledMetadata.compile(parse("""
        filterEnabledMetadata:
          filter: dev.kgateway.disable_ext_auth
          invert: true
          path: [ { key: disable } ]
          value: { boolMatch: true }
        """).getFilterEnabledMetadata(), at);
    DynamicMetadata none = new DynamicMetadata(null);
    assertThat(kgw.matches(none)).as("not disabled: called").isTrue();
    none.merge("dev.kgateway.disable_ext_auth", Struct.newBuilder()
        .putFields("disable", Value.newBuilder().setBoolValue(true).build()).build());
    assertThat(kgw.matches(none)).isFalse();
    assertThat(at.errors()).isEmpty();
  }

  @Test
  void statusOnErrorOutsideHttpRangeFallsBackTo403() throws Exception {
    ExtAuthzFilterFactory f = ExtAuthzFilterProvider.compile(parse(
        "grpc_service: { envoy_grpc: { cluster_name: authz } }\nstatus_on_error: { code: ServiceUnavailable }"),
        ConfigPath.root("a"), CONTEXT);
    assertThat(f.policy.statusOnError()).isEqualTo(503);
    assertThat(f.policy.failureModeAllow()).isFalse();
    ExtAuthz odd = parse("grpc_service: { envoy_grpc: { cluster_name: authz } }").toBuilder()
        .setStatusOnError(io.envoyproxy.envoy.type.v3.HttpStatus.newBuilder().setCodeValue(99)).build();
    assertThat(ExtAuthzFilterProvider.compile(odd, ConfigPath.root("a"), CONTEXT).policy.statusOnError()).isEqualTo(403);
  }

  @Test
  void queryParametersAreSetAndRemovedInPlace() {
    assertThat(ExtAuthzFilter.rewriteQuery("/p?a=1&b=2&a=3", List.<String[]>of(new String[] {"a", "x y"}),
        List.of("b"))).isEqualTo("/p?a=x+y");
    assertThat(ExtAuthzFilter.rewriteQuery("/p", List.<String[]>of(new String[] {"n", "1"}), List.of()))
        .isEqualTo("/p?n=1");
    assertThat(ExtAuthzFilter.rewriteQuery("/p?drop=1", List.of(), List.of("drop"))).isEqualTo("/p");
  }
}
