package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.headers;
import static dev.egret.core.route.RouteFixtures.routes;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterActionTest {
  private static ClusterAction action(String match, String routeAction) {
    RouteTable t = routes("{\"name\":\"r\",\"match\":" + match + ",\"route\":" + routeAction + "}");
    return t.virtualHosts().get(0).routes().get(0).clusterAction();
  }

  private static ClusterAction action(String routeAction) {
    return action("{\"prefix\":\"/\"}", routeAction);
  }

  @Test
  void fixedClusterIgnoresHeadersAndRandom() {
    ClusterAction a = action("{\"cluster\":\"a\"}");
    assertThat(a.clusterName(headers(), 12345)).isEqualTo("a");
    assertThat(a.cluster()).isEqualTo("a");
    assertThat(a.weightedClusters()).isEmpty();
  }

  @Test
  void weightedClustersPickByIntervalsOfRandomModTotal() {
    ClusterAction a = action("{\"weighted_clusters\":{\"clusters\":[{\"name\":\"a\",\"weight\":1},"
        + "{\"name\":\"b\",\"weight\":0},{\"name\":\"c\",\"weight\":3}]}}");
    assertThat(a.clusterName(headers(), 0)).isEqualTo("a");
    assertThat(a.clusterName(headers(), 1)).isEqualTo("c");
    assertThat(a.clusterName(headers(), 3)).isEqualTo("c");
    assertThat(a.clusterName(headers(), 4)).isEqualTo("a");
    assertThat(a.clusterName(headers(), 7)).isEqualTo("c");
    assertThat(a.clusterName(headers(), -1L)).isEqualTo("c"); // 2^64-1 mod 4 = 3, unsigned like Envoy
  }

  @Test
  void weightedDistributionFollowsWeightsOverAllResidues() {
    ClusterAction a = action("{\"weighted_clusters\":{\"clusters\":[{\"name\":\"a\",\"weight\":20},"
        + "{\"name\":\"b\",\"weight\":30},{\"name\":\"c\",\"weight\":50}]}}");
    Map<String, Integer> counts = new HashMap<>();
    for (long r = 0; r < 10_000; r++) {
      counts.merge(a.clusterName(headers(), r * 7919), 1, Integer::sum); // 7919 is prime, coprime to 100
    }
    assertThat(counts).containsEntry("a", 2000).containsEntry("b", 3000).containsEntry("c", 5000);
  }

  @Test
  void weightedTotalWeightEqualToSumIsAccepted() {
    ClusterAction a = action("{\"weighted_clusters\":{\"total_weight\":10,\"clusters\":[{\"name\":\"a\",\"weight\":4},"
        + "{\"name\":\"b\",\"weight\":6}]}}");
    assertThat(a.weightedClusters()).containsExactly(new WeightedCluster("a", 4), new WeightedCluster("b", 6));
    assertThat(a.clusterName(headers(), 4)).isEqualTo("b");
  }

  @Test
  void clusterHeaderUsesFirstValueAndMissingMeansNotFound() {
    ClusterAction a = action("{\"cluster_header\":\"X-Target\"}");
    assertThat(a.clusterHeader()).isEqualTo("x-target");
    assertThat(a.clusterName(headers("x-target", "web"), 0)).isEqualTo("web");
    assertThat(a.clusterName(headers("x-target", "web", "x-target", "api"), 0)).isEqualTo("web");
    assertThat(a.clusterName(headers(), 0)).isNull();
    assertThat(a.clusterName(headers("x-target", ""), 0)).isNull();
    assertThat(a.clusterNotFoundStatus()).isEqualTo(503);
  }

  @Test
  void clusterNotFoundResponseCodeMapsEnum() {
    assertThat(action("{\"cluster_header\":\"x\",\"cluster_not_found_response_code\":\"NOT_FOUND\"}")
        .clusterNotFoundStatus()).isEqualTo(404);
    assertThat(action("{\"cluster_header\":\"x\",\"cluster_not_found_response_code\":\"INTERNAL_SERVER_ERROR\"}")
        .clusterNotFoundStatus()).isEqualTo(500);
  }

  @Test
  void prefixRewriteReplacesMatchedPrefixAndKeepsQuery() {
    ClusterAction a = action("{\"prefix\":\"/api/\"}", "{\"cluster\":\"a\",\"prefix_rewrite\":\"/\"}");
    assertThat(a.rewritesPath()).isTrue();
    assertThat(a.rewritePath("/api/users?id=1")).isEqualTo("/users?id=1");
    assertThat(a.rewritePath("/api/")).isEqualTo("/");
  }

  @Test
  void prefixRewriteOnCaseInsensitivePrefixReplacesRequestCasing() {
    ClusterAction a = action("{\"prefix\":\"/old\",\"case_sensitive\":false}",
        "{\"cluster\":\"a\",\"prefix_rewrite\":\"/new\"}");
    assertThat(a.rewritePath("/OLD/x?q=/old")).isEqualTo("/new/x?q=/old");
  }

  @Test
  void prefixRewriteOnRegexRouteReplacesWholePath() {
    ClusterAction a = action("{\"safe_regex\":{\"regex\":\"/v[0-9]/.*\"}}",
        "{\"cluster\":\"a\",\"prefix_rewrite\":\"/fixed\"}");
    assertThat(a.rewritePath("/v1/abc?x=y")).isEqualTo("/fixed?x=y");
  }

  @Test
  void prefixRewriteOnExactPathRoute() {
    ClusterAction a = action("{\"path\":\"/login\"}", "{\"cluster\":\"a\",\"prefix_rewrite\":\"/auth/login\"}");
    assertThat(a.rewritePath("/login?next=%2F")).isEqualTo("/auth/login?next=%2F");
  }

  @Test
  void regexRewriteAppliesToPathOnlyWithGroups() {
    ClusterAction a = action("{\"cluster\":\"a\",\"regex_rewrite\":{\"pattern\":{\"regex\":\"^/service/([^/]+)(/.*)$\"},"
        + "\"substitution\":\"\\\\2/instance/\\\\1\"}}");
    assertThat(a.rewritePath("/service/foo/v1/api?x=/service/y/z")).isEqualTo("/v1/api/instance/foo?x=/service/y/z");
  }

  @Test
  void regexRewriteReplacesEveryOccurrence() {
    ClusterAction a = action("{\"cluster\":\"a\",\"regex_rewrite\":{\"pattern\":{\"regex\":\"one\"},"
        + "\"substitution\":\"two\"}}");
    assertThat(a.rewritePath("/xxx/one/yyy/one/zzz?one=1")).isEqualTo("/xxx/two/yyy/two/zzz?one=1");
    assertThat(a.rewritePath("/nothing")).isEqualTo("/nothing");
  }

  @Test
  void regexRewriteHonoursInlineCaseFlagAndLiteralBackslash() {
    ClusterAction a = action("{\"cluster\":\"a\",\"regex_rewrite\":{\"pattern\":{\"regex\":\"(?i)/xxx/\"},"
        + "\"substitution\":\"/y\\\\\\\\y/\"}}");
    assertThat(a.rewritePath("/aaa/XxX/bbb")).isEqualTo("/aaa/y\\y/bbb");
  }

  @Test
  void noRewriteReturnsSameTarget() {
    ClusterAction a = action("{\"cluster\":\"a\"}");
    String target = "/p?q=1";
    assertThat(a.rewritesPath()).isFalse();
    assertThat(a.rewritePath(target)).isSameAs(target);
  }

  @Test
  void timeoutDefaultsToFifteenSecondsAndZeroDisables() {
    assertThat(action("{\"cluster\":\"a\"}").timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(action("{\"cluster\":\"a\",\"timeout\":\"0s\"}").timeout()).isEqualTo(Duration.ZERO);
    assertThat(action("{\"cluster\":\"a\",\"timeout\":\"2.5s\"}").timeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void hostRewriteLiteralAndAutoHostRewrite() {
    ClusterAction literal = action("{\"cluster\":\"a\",\"host_rewrite_literal\":\"upstream.example\"}");
    assertThat(literal.hostRewriteLiteral()).isEqualTo("upstream.example");
    assertThat(literal.autoHostRewrite()).isFalse();
    ClusterAction auto = action("{\"cluster\":\"a\",\"auto_host_rewrite\":true}");
    assertThat(auto.hostRewriteLiteral()).isNull();
    assertThat(auto.autoHostRewrite()).isTrue();
    assertThat(action("{\"cluster\":\"a\",\"auto_host_rewrite\":false}").autoHostRewrite()).isFalse();
  }

  @Test
  void routeEntryShorthandsDelegateToAction() {
    RouteTable t = routes("{\"name\":\"r\",\"match\":{\"prefix\":\"/a\"},\"route\":{\"cluster_header\":\"x-c\","
        + "\"prefix_rewrite\":\"/b\"}}");
    RouteEntry e = t.route("h", "/a/1", headers());
    assertThat(e.clusterName(headers("x-c", "api"), 0)).isEqualTo("api");
    assertThat(e.rewritePath("/a/1?z")).isEqualTo("/b/1?z");
    assertThat(e.location("http", "h", "/a")).isNull();
    assertThat(e.redirect()).isNull();
    assertThat(e.directResponse()).isNull();
  }
}
