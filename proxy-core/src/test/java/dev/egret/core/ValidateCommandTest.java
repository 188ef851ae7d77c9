package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code egret validate FILE}: one precise line per problem (field path, resource name), exit 1; a
 * valid file is summarised and exits 0. Nothing is bound, started or created.
 */
class ValidateCommandTest {
  /** A valid bootstrap: one listener, one cluster; tests break one thing at a time. */
  static final String VALID = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 9901 } }
      static_resources:
        listeners:
        - name: egress
          address: { socket_address: { address: 127.0.0.1, port_value: 10000 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: egress_http
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${LOG}
                route_config:
                  name: routes
                  virtual_hosts:
                  - name: api
                    domains: ["api.example.com"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: upstream }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        clusters:
        - name: upstream
          type: STRICT_DNS
          connect_timeout: 1s
          load_assignment:
            cluster_name: upstream
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: upstream.example.com, port_value: 8080 } } }
      """;

  static final String LISTENER_PATH = "static_resources.listeners[0]";
  static final String HCM_PATH = LISTENER_PATH + ".filter_chains[0].filters[0].typed_config";

  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Egret.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path write(String name, String yaml) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml.replace("${LOG}", dir.resolve("access.log").toString()));
    return f;
  }

  private static String replaceOnce(String text, String from, String to) {
    assertThat(text).as("test fixture").contains(from);
    return text.replace(from, to);
  }

  /** Validates {@code yaml} and checks it was rejected with exactly {@code expectedLine}. */
  private void assertSingleError(String yaml, String expectedLine) throws IOException {
    Path f = write("bootstrap.yaml", yaml);
    Result r = run("validate", f.toString());
    assertThat(r.err()).isEqualTo("egret: " + f + " is not valid (1 error):\n  " + expectedLine + "\n");
    assertThat(r.out()).isEmpty();
    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void validFileIsSummarisedAndExitsZero() throws IOException {
    Path f = write("ok.yaml", VALID);
    Result r = run("validate", f.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo("OK: " + f + " (1 listeners, 1 clusters)\n");
    assertThat(r.code()).isZero();
  }

  @Test
  void malformedYamlNamesLineAndColumn() throws IOException {
    assertSingleError("""
        static_resources:
          listeners:
          - name: [egress
          clusters: []
        """, dir.resolve("bootstrap.yaml") + ": malformed YAML at line 4, column 11: expected ',' or ']', "
        + "but got : (while parsing a flow sequence that starts at line 3, column 11)");
  }

  @Test
  void unknownFieldIsNamedWithItsPathAndCluster() throws IOException {
    assertSingleError(replaceOnce(VALID, "connect_timeout: 1s", "connect_timout: 1s"),
        "static_resources.clusters[0].connect_timout [upstream]: unknown field 'connect_timout' in "
            + "envoy.config.cluster.v3.Cluster");
  }

  @Test
  void unknownTypeUrlIsNamed() throws IOException {
    assertSingleError(replaceOnce(VALID, "envoy.extensions.filters.http.router.v3.Router",
            "envoy.extensions.filters.http.nope.v3.Nope"),
        HCM_PATH + ".http_filters[0].typed_config.@type [egress]: unknown type URL "
            + "'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope'");
  }

  @Test
  void knownEnvoyFilterThatEgretLacksIsRejectedByTypeUrl() throws IOException {
    assertSingleError(replaceOnce(VALID, "          http_filters:\n", """
            http_filters:
            - name: envoy.filters.http.cors
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
            """.indent(10)),
        HCM_PATH + ".http_filters[0] [egress]: HTTP filter 'envoy.filters.http.cors' "
            + "(type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors) is not supported by Egret");
  }

  @Test
  void routeToMissingClusterNamesRouteConfiguration() throws IOException {
    assertSingleError(replaceOnce(VALID, "route: { cluster: upstream }", "route: { cluster: upstream_typo }"),
        HCM_PATH + ".route_config.virtual_hosts[0].routes[0].route.cluster [routes]: "
            + "unknown cluster 'upstream_typo'");
  }

  @Test
  void listenerAddressMustBeAnIp() throws IOException {
    assertSingleError(replaceOnce(VALID, "address: 127.0.0.1, port_value: 10000", "address: not-an-ip, port_value: 10000"),
        LISTENER_PATH + ".address.socket_address.address [egress]: 'not-an-ip' is not an IP address");
  }

  @Test
  void twoListenersOnOneAddressAreRejected() throws IOException {
    assertSingleError(replaceOnce(VALID, "  clusters:\n", """
          - name: egress_again
            address: { socket_address: { address: 127.0.0.1, port_value: 10000 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: egress_again
                  route_config: { name: more_routes }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          clusters:
        """),
        "static_resources.listeners[1].address [egress_again]: listener 'egress' already binds 127.0.0.1:10000");
  }

  @Test
  void duplicateClusterNameIsRejected() throws IOException {
    assertSingleError(VALID + """
          - name: upstream
            type: STATIC
        """,
        "static_resources.clusters[1].name [upstream]: duplicate cluster name 'upstream'");
  }

  @Test
  void dynamicResourcesWithoutGrpcServiceAreRejectedByPath() throws IOException {
    assertSingleError(VALID + """
        dynamic_resources:
          ads_config: { api_type: GRPC }
        """,
        "dynamic_resources.ads_config.grpc_services: exactly one grpc_service is required, found 0");
  }

  @Test
  void dynamicResourcesWithRestApiAreRejectedByPath() throws IOException {
    assertSingleError(VALID + """
        dynamic_resources:
          ads_config: { api_type: REST, grpc_services: [ { envoy_grpc: { cluster_name: upstream } } ] }
        """,
        "dynamic_resources.ads_config.api_type: api_type REST is not supported by Egret (supported: GRPC, DELTA_GRPC)");
  }

  @Test
  void dynamicResourcesNamingAMissingClusterAreRejectedByPath() throws IOException {
    assertSingleError(VALID + """
        dynamic_resources:
          ads_config: { api_type: DELTA_GRPC, grpc_services: [ { envoy_grpc: { cluster_name: xds-grpc } } ] }
        """,
        "dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name: 'xds-grpc' is not a static cluster");
  }

  @Test
  void dnsResolverOtherThanCaresIsRejected() throws IOException {
    assertSingleError(replaceOnce(VALID, "    connect_timeout: 1s\n", """
            connect_timeout: 1s
            typed_dns_resolver_config:
              name: envoy.network.dns_resolver.getaddrinfo
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.network.dns_resolver.getaddrinfo.v3.GetAddrInfoDnsResolverConfig
        """),
        "static_resources.clusters[0].typed_dns_resolver_config.typed_config [upstream]: DNS resolver "
            + "'envoy.network.dns_resolver.getaddrinfo' (type.googleapis.com/envoy.extensions.network.dns_resolver"
            + ".getaddrinfo.v3.GetAddrInfoDnsResolverConfig) is not supported by Egret (supported: "
            + "envoy.network.dns_resolver.cares with a CaresDnsResolverConfig)");
  }

  @Test
  void caresResolverMustBeAnIpAddress() throws IOException {
    assertSingleError(replaceOnce(VALID, "    connect_timeout: 1s\n", """
            connect_timeout: 1s
            typed_dns_resolver_config:
              name: envoy.network.dns_resolver.cares
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig
                resolvers:
                - socket_address: { address: 127.0.0.1, port_value: 53 }
                - socket_address: { address: dns.example.com, port_value: 53 }
                dns_resolver_options: { no_default_search_domain: true }
        """),
        "static_resources.clusters[0].typed_dns_resolver_config.typed_config.resolvers[1].socket_address.address "
            + "[upstream]: 'dns.example.com' is not an IP address");
  }

  @Test
  void badValueIsNamedWithItsPath() throws IOException {
    assertSingleError(replaceOnce(VALID, "connect_timeout: 1s", "connect_timeout: soon"),
        "static_resources.clusters[0].connect_timeout [upstream]: invalid value: Failed to parse duration: \"soon\"");
  }

  @Test
  void badValueInsideTypedConfigIsNamedWithItsPath() throws IOException {
    assertSingleError(replaceOnce(VALID, "stat_prefix: egress_http", "stat_prefix: egress_http\n          codec_type: HTTP9"),
        HCM_PATH + ".codec_type [egress]: invalid value: Invalid enum value: HTTP9 for enum type: "
            + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.CodecType");
  }

  @Test
  void everyErrorIsListedNotJustTheFirst() throws IOException {
    String yaml = replaceOnce(replaceOnce(VALID, "route: { cluster: upstream }", "route: { cluster: nope }"),
        "address: 127.0.0.1, port_value: 9901", "address: localhost, port_value: 9901");
    Path f = write("two.yaml", yaml);
    Result r = run("validate", f.toString());
    assertThat(r.err()).isEqualTo("egret: " + f + " is not valid (2 errors):\n"
        + "  admin.address.socket_address.address: 'localhost' is not an IP address\n"
        + "  " + HCM_PATH + ".route_config.virtual_hosts[0].routes[0].route.cluster [routes]: unknown cluster 'nope'\n");
    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void missingFileIsReported() {
    Path f = dir.resolve("absent.yaml");
    Result r = run("validate", f.toString());
    assertThat(r.err()).startsWith("egret: " + f + " is not valid (1 error):\n  " + f + ": cannot read file: ");
    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void validateWithoutAFileIsAUsageError() {
    Result r = run("validate");
    assertThat(r.err()).isEqualTo("usage: egret validate FILE\n");
    assertThat(r.code()).isEqualTo(2);
  }

  @Test
  void validateCreatesNoAccessLogFile() throws IOException {
    Path f = write("ok.yaml", VALID);
    assertThat(run("validate", f.toString()).code()).isZero();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ok.yaml");
    }
  }

  @Test
  void accessLogInAMissingDirectoryIsAnError() throws IOException {
    Path log = dir.resolve("no-such-dir").resolve("access.log");
    assertSingleError(VALID.replace("${LOG}", log.toString()),
        HCM_PATH + ".access_log[0].typed_config.path [egress]: cannot open access log file '" + log
            + "': java.nio.file.NoSuchFileException: " + log);
    assertThat(dir.resolve("no-such-dir")).doesNotExist();
  }

  @Test
  void embeddedDefaultConfigurationValidates() throws Exception {
    EgretServer.Compiled c = EgretServer.compileOnly(Egret.defaultBootstrap());
    assertThat(c).isEqualTo(new EgretServer.Compiled(1, 2));
  }

  @Test
  void versionAndHelpExitZero() {
    Result version = run("--version");
    assertThat(version.code()).isZero();
    assertThat(version.out()).startsWith("egret ").contains("netty ").contains("java ");
    Result help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("usage: egret").contains("egret validate FILE");
    assertThat(help.err()).isEmpty();
  }
}
