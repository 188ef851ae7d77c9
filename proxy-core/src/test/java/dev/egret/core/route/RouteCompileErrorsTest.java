package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.errors;
import static dev.egret.core.route.RouteFixtures.proto;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteCompileErrorsTest {
  private static List<ConfigError> routeErrors(String route) {
    return errors("{\"name\":\"rc\",\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[" + route + "]}]}");
  }

  private static ConfigError only(List<ConfigError> errs) {
    assertThat(errs).hasSize(1);
    return errs.get(0);
  }

  @Test
  void unsupportedRouteActionFieldIsRejectedWithPath() {
    ConfigError e = only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\","
        + "\"hash_policy\":[{\"header\":{\"header_name\":\"x\"}}]}}"));
    assertThat(e.path()).isEqualTo("virtual_hosts[0].routes[0].route.hash_policy");
    assertThat(e.resource()).isEqualTo("rc");
    assertThat(e.message()).contains("hash_policy").contains("not supported");
  }

  @Test
  void unsupportedFieldsAtEveryLevelAreRejected() {
    List<ConfigError> errs = errors("{\"name\":\"rc\",\"internal_only_headers\":[\"x\"],\"virtual_hosts\":[{"
        + "\"name\":\"vh\",\"domains\":[\"*\"],\"require_tls\":\"ALL\",\"routes\":[{\"match\":{\"prefix\":\"/\","
        + "\"grpc\":{},\"headers\":[{\"name\":\"x\",\"string_match\":{\"exact\":\"y\"}}]},"
        + "\"tracing\":{},\"route\":{\"cluster\":\"a\"}}]}]}");
    assertThat(errs).extracting(ConfigError::path).containsExactlyInAnyOrder(
        "internal_only_headers",
        "virtual_hosts[0].require_tls",
        "virtual_hosts[0].routes[0].match.grpc",
        "virtual_hosts[0].routes[0].tracing");
  }

  @Test
  void unsupportedMatcherFieldsInsideHeadersAndRegexAreRejected() {
    List<ConfigError> errs = routeErrors("{\"match\":{\"prefix\":\"/\",\"headers\":[{\"name\":\"x\","
        + "\"safe_regex_match\":{\"regex\":\"a\",\"google_re2\":{\"max_program_size\":10}}}]},\"route\":{\"cluster\":\"a\"}}");
    assertThat(only(errs).path())
        .isEqualTo("virtual_hosts[0].routes[0].match.headers[0].safe_regex_match.google_re2.max_program_size");
  }

  @Test
  void emptyGoogleRe2EngineIsAccepted() {
    RouteTable t = RouteFixtures.routes("{\"match\":{\"safe_regex\":{\"google_re2\":{},\"regex\":\"/a.*\"}},"
        + "\"route\":{\"cluster\":\"a\"}}");
    assertThat(t.route("h", "/abc", RouteFixtures.headers())).isNotNull();
  }

  @Test
  void unknownClusterIsAnErrorNamingIt() {
    ConfigError e = only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"nope\"}}"));
    assertThat(e.path()).isEqualTo("virtual_hosts[0].routes[0].route.cluster");
    assertThat(e.message()).contains("'nope'");
  }

  @Test
  void unknownWeightedClusterIsAnErrorNamingIt() {
    ConfigError e = only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"clusters\":["
        + "{\"name\":\"a\",\"weight\":1},{\"name\":\"ghost\",\"weight\":1}]}}}"));
    assertThat(e.path()).isEqualTo("virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name");
    assertThat(e.message()).contains("'ghost'");
  }

  @Test
  void validateClustersFalseSkipsTheClusterCheck() {
    RouteTable t = RouteFixtures.table("{\"name\":\"rc\",\"validate_clusters\":false,\"virtual_hosts\":[{\"name\":\"vh\","
        + "\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"later\"}}]}]}");
    assertThat(t.route("h", "/", RouteFixtures.headers()).clusterName(RouteFixtures.headers(), 0)).isEqualTo("later");
  }

  @Test
  void badRegexIsAnErrorWithItsPath() {
    ConfigError e = only(routeErrors("{\"match\":{\"safe_regex\":{\"regex\":\"/a(b\"}},\"route\":{\"cluster\":\"a\"}}"));
    assertThat(e.path()).isEqualTo("virtual_hosts[0].routes[0].match.safe_regex.regex");
    assertThat(e.message()).contains("invalid regex '/a(b'");
  }

  @Test
  void javaOnlyRegexFeaturesAreRejectedLikeRe2Would() {
    for (String re : List.of("/(?=a)", "/(a)\\\\1", "/a++", "/(?>a)", "/(?<!a)b")) {
      ConfigError e = only(routeErrors("{\"match\":{\"safe_regex\":{\"regex\":\"" + re + "\"}},\"route\":{\"cluster\":\"a\"}}"));
      assertThat(e.message()).as(re).contains("not supported");
    }
  }

  @Test
  void badRewriteSubstitutionIsRejected() {
    ConfigError e = only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\",\"regex_rewrite\":"
        + "{\"pattern\":{\"regex\":\"/(a)\"},\"substitution\":\"\\\\2\"}}}"));
    assertThat(e.path()).isEqualTo("virtual_hosts[0].routes[0].route.regex_rewrite.substitution");
    assertThat(e.message()).contains("\\2").contains("1 capture group");
  }

  @Test
  void prefixRewriteAndRegexRewriteTogetherAreRejected() {
    ConfigError e = only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\",\"prefix_rewrite\":\"/x\","
        + "\"regex_rewrite\":{\"pattern\":{\"regex\":\"a\"},\"substitution\":\"b\"}}}"));
    assertThat(e.message()).contains("only one of prefix_rewrite and regex_rewrite");
  }

  @Test
  void ignoreCaseWithSafeRegexIsRejected() {
    ConfigError e = only(routeErrors("{\"match\":{\"prefix\":\"/\",\"headers\":[{\"name\":\"x\",\"string_match\":"
        + "{\"safe_regex\":{\"regex\":\"a\"},\"ignore_case\":true}}]},\"route\":{\"cluster\":\"a\"}}"));
    assertThat(e.path()).isEqualTo("virtual_hosts[0].routes[0].match.headers[0].string_match.ignore_case");
  }

  @Test
  void missingMatchPathSpecifierAndActionAreReported() {
    assertThat(only(routeErrors("{\"match\":{},\"route\":{\"cluster\":\"a\"}}")).path())
        .isEqualTo("virtual_hosts[0].routes[0].match");
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"}}")).message()).contains("route, redirect, direct_response");
    assertThat(only(routeErrors("{\"route\":{\"cluster\":\"a\"}}")).path()).isEqualTo("virtual_hosts[0].routes[0].match");
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{}}")).message())
        .contains("cluster, weighted_clusters, cluster_header");
  }

  @Test
  void weightedClusterRulesAreChecked() {
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"clusters\":["
        + "{\"name\":\"a\",\"weight\":0}]}}}")).message()).contains("greater than 0");
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"clusters\":["
        + "{\"name\":\"a\"}]}}}")).path()).endsWith("clusters[0].weight");
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"total_weight\":5,"
        + "\"clusters\":[{\"name\":\"a\",\"weight\":3}]}}}")).path()).endsWith("weighted_clusters.total_weight");
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"clusters\":["
        + "{\"name\":\"a\",\"weight\":1,\"cluster_header\":\"x\"}]}}}")).path()).endsWith("clusters[0].cluster_header");
  }

  @Test
  void pathSeparatedPrefixMustNotEndWithSlash() {
    assertThat(only(routeErrors("{\"match\":{\"path_separated_prefix\":\"/api/\"},\"route\":{\"cluster\":\"a\"}}"))
        .path()).endsWith("match.path_separated_prefix");
  }

  @Test
  void directResponseStatusAndBodyLimits() {
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"direct_response\":{\"status\":99}}")).path())
        .endsWith("direct_response.status");
    String big = "x".repeat(4097);
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"direct_response\":{\"status\":200,\"body\":"
        + "{\"inline_string\":\"" + big + "\"}}}")).message()).contains("4097").contains("4096");
    assertThat(only(routeErrors("{\"match\":{\"prefix\":\"/\"},\"direct_response\":{\"status\":200,\"body\":"
        + "{\"filename\":\"/etc/passwd\"}}}")).path()).endsWith("direct_response.body.filename");
  }

  @Test
  void maxDirectResponseBodySizeCanBeRaised() {
    String big = "x".repeat(5000);
    RouteTable t = RouteFixtures.table("{\"name\":\"rc\",\"max_direct_response_body_size_bytes\":8192,"
        + "\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},"
        + "\"direct_response\":{\"status\":200,\"body\":{\"inline_string\":\"" + big + "\"}}}]}]}");
    assertThat(t.route("h", "/", RouteFixtures.headers()).directResponse().bodyLength()).isEqualTo(5000);
  }

  @Test
  void virtualHostNeedsNameAndDomains() {
    List<ConfigError> errs = errors("{\"virtual_hosts\":[{\"routes\":[]}]}");
    assertThat(errs).extracting(ConfigError::path).containsExactlyInAnyOrder("virtual_hosts[0].name",
        "virtual_hosts[0].domains");
  }

  @Test
  void allErrorsAreReportedInOneRun() {
    List<ConfigError> errs = routeErrors("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"x1\"}},"
        + "{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"x2\"}}");
    assertThat(errs).hasSize(2);
  }

  @Test
  void errorsKeepAnExistingResourceNameAndPathPrefix() {
    ConfigPath at = ConfigPath.root("route_config").resource("listener-1");
    RouteTable t = RouteTable.compile(proto("{\"name\":\"rc\",\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],"
        + "\"routes\":[{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"zz\"}}]}]}"), at, c -> false);
    assertThat(t).isNull();
    assertThat(at.errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo("route_config.virtual_hosts[0].routes[0].route.cluster");
      assertThat(e.resource()).isEqualTo("listener-1");
    });
  }
}
