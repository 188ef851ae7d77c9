package dev.egret.filters.rbac;

import static dev.egret.filters.rbac.Rbac.addr;
import static dev.egret.filters.rbac.Rbac.req;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * istiod's authorization goldens (../shared/testdata/istio), loaded as they are: every RBAC filter in
 * them compiles, and representative requests get the decision and effective policy Istio intends.
 */
class IstioGoldensTest {
  static final Path ISTIO = Path.of("..", "..", "shared", "testdata", "istio");
  static final Path HTTP = ISTIO.resolve(Path.of("istio", "pilot", "pkg", "security", "authz", "builder", "testdata",
      "http"));
  static final Path AMBIENT = ISTIO.resolve(Path.of("istio@experimental-ambient", "pilot", "pkg", "security", "authz",
      "builder", "testdata", "http"));

  /** The compiled RBAC filter of one golden file. */
  static RbacFilterFactory golden(Path file) throws Exception {
    HttpFilter f = BootstrapLoader.parse(Files.readString(file), file.toString(), HttpFilter.newBuilder()).build();
    assertThat(f.getTypedConfig().getTypeUrl()).isEqualTo(RbacFilterProvider.TYPE_URL);
    ConfigPath at = ConfigPath.root("typed_config");
    RbacFilterFactory compiled = (RbacFilterFactory) new RbacFilterProvider().compile(f.getTypedConfig(), at,
        new dev.egret.core.http.filter.FilterContext(new dev.egret.core.stats.Stats(), "golden"));
    assertThat(at.errors()).as(file.toString()).isEmpty();
    return compiled;
  }

  @Test
  void everyIstioRbacGoldenCompiles() throws Exception {
    List<Path> rbac = new ArrayList<>();
    for (Path dir : List.of(HTTP, AMBIENT)) {
      assertThat(dir).isDirectory();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().matches(".*-out\\d?\\.yaml"))
            .sorted()::iterator) {
          if (Files.readString(f).contains(RbacFilterProvider.TYPE_URL)) {
            rbac.add(f);
          }
        }
      }
    }
    assertThat(rbac).hasSizeGreaterThanOrEqualTo(25);
    for (Path f : rbac) {
      RbacFilterFactory compiled = golden(f);
      assertThat(compiled.engine() != null || compiled.shadowEngine() != null).as(f.toString()).isTrue();
    }
  }

  @Test
  void emptyRuleAllowsAllNilRuleDeniesAllEmptyDenyRuleDeniesAll() throws Exception {
    RbacEngine allowAll = golden(HTTP.resolve("allow-empty-rule-out.yaml")).engine();
    assertThat(allowAll.evaluate(req("DELETE", "/anything").build()))
        .isEqualTo(new RbacDecision(true, "ns[foo]-policy[allow-all]-rule[0]"));
    RbacEngine allowNone = golden(HTTP.resolve("allow-nil-rule-out.yaml")).engine();
    assertThat(allowNone.evaluate(req("GET", "/").build()).details()).isEqualTo("rbac_access_denied_matched_policy[none]");
    RbacEngine denyAll = golden(HTTP.resolve("deny-empty-rule-out.yaml")).engine();
    RbacDecision d = denyAll.evaluate(req("GET", "/").build());
    assertThat(d.allowed()).isFalse();
    assertThat(d.details()).isEqualTo("rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]");
  }

  @Test
  void denyPolicyDeniesOnlyItsPrincipal() throws Exception {
    RbacEngine e = golden(HTTP.resolve("deny-and-allow-out1.yaml")).engine();
    assertThat(e.action()).isEqualTo(RbacEngine.Action.DENY);
    assertThat(e.evaluate(req("GET", "/").with(b -> b.tls(true).peerUriSans(List.of("spiffe://deny"))).build())
        .allowed()).isFalse();
    assertThat(e.evaluate(req("GET", "/").with(b -> b.tls(true).peerUriSans(List.of("spiffe://ok"))).build())
        .allowed()).isTrue();
    assertThat(e.evaluate(req("GET", "/").build()).allowed()).as("plain text has no principal").isTrue();
  }

  @Test
  void wildcardPrincipalNeedsSomeMtlsIdentity() throws Exception {
    RbacEngine e = golden(HTTP.resolve("simple-policy-principal-with-wildcard-out.yaml")).engine();
    assertThat(e.evaluate(req("GET", "/").with(b -> b.tls(true).peerUriSans(List.of("spiffe://x/ns/y/sa/z"))).build())
        .allowed()).isTrue();
    assertThat(e.evaluate(req("GET", "/").build()).allowed()).isFalse();
  }

  @Test
  void trustDomainAliasesNeedTheIstioSystemNamespaceAndAnIdentity() throws Exception {
    RbacEngine e = golden(HTTP.resolve("td-aliases-source-principal-out.yaml")).engine();
    assertThat(e.evaluate(req("GET", "/").with(b -> b.tls(true)
        .peerUriSans(List.of("spiffe://cluster.local/ns/istio-system/sa/ingress"))).build()).allowed()).isTrue();
    assertThat(e.evaluate(req("GET", "/").with(b -> b.tls(true)
        .peerUriSans(List.of("spiffe://cluster.local/ns/foo/sa/all-td"))).build()).allowed()).isFalse();
  }

  @Test
  void fullSinglePolicyMatchesOnlyWhenEveryAttributeDoes() throws Exception {
    RbacEngine e = golden(HTTP.resolve("single-policy-out.yaml")).engine();
    Struct jwt = Struct.newBuilder().putFields("payload", Value.newBuilder().setStructValue(Struct.newBuilder()
        .putFields("iss", str("rule[1]-from[0]-requestPrincipal[2]")).putFields("sub", str(""))).build()).build();
    Rbac.Req full = req("rule[1]-to[1]-method[2]", "rule[1]-to[1]-path[1]?q=1")
        .with(b -> b.authority("RULE[1]-to[1]-host[1]").localAddress(addr("10.10.10.10", 9112))
            .tls(true).peerUriSans(List.of("spiffe://rule[1]-from[0]-principal[2]",
                "spiffe://td/ns/rule[1]-from[0]-ns[1]/sa/x"))
            .sourceAddress(addr("10.1.0.2", 5000)).remoteAddress(addr("172.22.3.9", 5000))
            .dynamicMetadata(ns -> ns.equals("envoy.filters.http.jwt_authn") ? jwt : null));
    assertThat(e.evaluate(full.build())).isEqualTo(new RbacDecision(true, "ns[foo]-policy[httpbin]-rule[1]"));
    assertThat(e.evaluate(full.with(b -> b.remoteAddress(addr("172.22.4.1", 1))).build()).allowed())
        .as("remote_ip outside 172.22.2.0/23").isFalse();
    assertThat(e.evaluate(full.with(b -> b.remoteAddress(addr("172.22.3.9", 1)).dynamicMetadata(ns -> null)).build())
        .allowed()).as("no request principal").isFalse();
  }

  @Test
  void bothSidedPathPolicyMatchesNoPath() throws Exception {
    // istiod's synthetic policy puts regex ".+" on both the path and its negation: nothing can match.
    RbacEngine e = golden(HTTP.resolve("allow-path-out.yaml")).engine();
    for (String p : List.of("/exact", "/prefix/x", "/path/template/x", "/a/path/template")) {
      assertThat(e.evaluate(req("GET", p).build()).allowed()).as(p).isFalse();
    }
  }

  @Test
  void ambientMultiplePoliciesEachAllowTheirOwnRequests() throws Exception {
    RbacEngine e = golden(AMBIENT.resolve("multiple-policies-ambient-out.yaml")).engine();
    Struct authn = Struct.newBuilder().putFields("request.auth.principal", str("requestPrincipals1")).build();
    record Case(String policy, Rbac.Req req) {}
    List<Case> cases = List.of(
        new Case("httpbin-1", req("GET", "/x")),
        new Case("httpbin-1", req("POST", "/x")),
        new Case("httpbin-2", req("DELETE", "/v2?x")),
        new Case("httpbin-3", req("DELETE", "/z").with(b -> b.authority("HTTPBIN.org"))),
        new Case("httpbin-4", req("DELETE", "/z").with(b -> b.localAddress(addr("10.0.0.1", 90)))),
        new Case("httpbin-5", req("DELETE", "/z").with(b -> b.filterState(
            k -> k.equals("io.istio.peer_principal") ? "spiffe://principals2" : null))),
        new Case("httpbin-6", req("DELETE", "/z").with(b -> b.dynamicMetadata(ns -> ns.equals("istio_authn") ? authn
            : null))),
        new Case("httpbin-7", req("DELETE", "/z").with(b -> b.filterState(
            k -> k.equals("io.istio.peer_principal") ? "spiffe://td/ns/namespaces2/sa/a" : null))),
        new Case("httpbin-8", req("DELETE", "/z").with(b -> b.directRemoteAddress(addr("5.6.7.200", 1)))),
        new Case("httpbin-9", req("DELETE", "/z").header("x-abc", "abc2")),
        new Case(null, req("DELETE", "/z").header("x-abc", "abc3").with(b -> b.authority("example.org")
            .filterState(k -> "spiffe://principals3").directRemoteAddress(addr("5.6.8.1", 1)))));
    SoftAssertions soft = new SoftAssertions();
    for (Case c : cases) {
      RbacDecision d = e.evaluate(c.req().build());
      String want = c.policy() == null ? null : "ns[foo]-policy[" + c.policy() + "]-rule[0]";
      soft.assertThat(d).as(String.valueOf(c.policy())).isEqualTo(new RbacDecision(want != null, want));
    }
    soft.assertAll();
  }

  @Test
  void customProviderRulesAreShadowOnly() throws Exception {
    RbacFilterFactory f = golden(HTTP.resolve("custom-grpc-provider-out1.yaml"));
    assertThat(f.engine()).isNull();
    assertThat(f.stats().shadowPrefix()).isEqualTo("istio_ext_authz_");
    RbacDecision d = f.shadowEngine().evaluate(req("GET", "/httpbin2").build());
    assertThat(d.policyId()).isEqualTo("istio-ext-authz-default-ns[foo]-policy[httpbin-2]-rule[0]");
    assertThat(f.shadowEngine().evaluate(req("GET", "/other").build()).policyId()).isNull();
  }

  @Test
  void dryRunPoliciesAreShadowedWhileOthersEnforce() throws Exception {
    RbacFilterFactory f = golden(HTTP.resolve("dry-run-mix-out.yaml"));
    assertThat(f.engine().evaluate(req("GET", "/another").build()).allowed()).isTrue();
    assertThat(f.engine().evaluate(req("GET", "/allow").build()).allowed()).isFalse();
    assertThat(f.shadowEngine().evaluate(req("GET", "/allow").build()).allowed()).isTrue();
  }

  static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
