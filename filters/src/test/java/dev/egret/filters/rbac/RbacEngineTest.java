package dev.egret.filters.rbac;

import static dev.egret.filters.rbac.Rbac.addr;
import static dev.egret.filters.rbac.Rbac.allowOne;
import static dev.egret.filters.rbac.Rbac.engine;
import static dev.egret.filters.rbac.Rbac.req;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import org.junit.jupiter.api.Test;

/** Policy order, actions and every permission kind, evaluated without sockets. */
class RbacEngineTest {
  static final String ANY = "{any: true}";

  static boolean allows(RbacEngine e, Rbac.Req r) {
    return e.evaluate(r.build()).allowed();
  }

  @Test
  void allowActionAllowsOnlyWhatAPolicyMatchesAndNamesIt() {
    RbacEngine e = allowOne("{header: {name: ':method', string_match: {exact: GET}}}", ANY);
    RbacDecision get = e.evaluate(req("GET", "/").build());
    assertThat(get.allowed()).isTrue();
    assertThat(get.policyId()).isEqualTo("p");
    RbacDecision post = e.evaluate(req("POST", "/").build());
    assertThat(post.allowed()).isFalse();
    assertThat(post.policyId()).isNull();
    assertThat(post.details()).isEqualTo("rbac_access_denied_matched_policy[none]");
  }

  @Test
  void denyActionDeniesWhatAPolicyMatchesWithItsNameInTheDetails() {
    RbacEngine e = engine("""
        action: DENY
        policies:
          "deny post":
            permissions: [{header: {name: ':method', string_match: {exact: POST}}}]
            principals: [{any: true}]
        """);
    RbacDecision post = e.evaluate(req("POST", "/").build());
    assertThat(post.allowed()).isFalse();
    assertThat(post.details()).isEqualTo("rbac_access_denied_matched_policy[deny_post]");
    assertThat(allows(e, req("GET", "/"))).isTrue();
  }

  @Test
  void logActionAllowsEverythingButReportsTheMatch() {
    RbacEngine e = engine("""
        action: LOG
        policies:
          audit: {permissions: [{url_path: {path: {prefix: /admin}}}], principals: [{any: true}]}
        """);
    RbacDecision hit = e.evaluate(req("GET", "/admin/x").build());
    assertThat(hit.allowed()).isTrue();
    assertThat(hit.policyId()).isEqualTo("audit");
    assertThat(e.evaluate(req("GET", "/other").build())).extracting(RbacDecision::allowed, RbacDecision::policyId)
        .containsExactly(true, null);
  }

  @Test
  void policiesAreEvaluatedInNameOrderAndTheFirstMatchIsEffective() {
    RbacEngine e = engine("""
        policies:
          zeta: {permissions: [{any: true}], principals: [{any: true}]}
          alpha: {permissions: [{url_path: {path: {exact: /a}}}], principals: [{any: true}]}
          mid: {permissions: [{any: true}], principals: [{any: true}]}
        """);
    assertThat(e.policyNames()).containsExactly("alpha", "mid", "zeta");
    assertThat(e.evaluate(req("GET", "/a").build()).policyId()).isEqualTo("alpha");
    assertThat(e.evaluate(req("GET", "/b").build()).policyId()).isEqualTo("mid");
  }

  @Test
  void noPoliciesUnderAllowDeniesEverything() {
    assertThat(allows(engine("action: ALLOW"), req("GET", "/"))).isFalse();
    assertThat(allows(engine("action: DENY"), req("GET", "/"))).isTrue();
  }

  @Test
  void aPolicyNeedsBothAPermissionAndAPrincipal() {
    RbacEngine e = allowOne("{url_path: {path: {exact: /x}}}", "{remote_ip: {address_prefix: 10.1.0.0, prefix_len: 16}}");
    assertThat(allows(e, req("GET", "/x").with(b -> b.sourceAddress(addr("10.1.2.3", 1))))).isTrue();
    assertThat(allows(e, req("GET", "/x").with(b -> b.sourceAddress(addr("10.2.2.3", 1))))).isFalse();
    assertThat(allows(e, req("GET", "/y").with(b -> b.sourceAddress(addr("10.1.2.3", 1))))).isFalse();
  }

  @Test
  void andOrNotRulesCombine() {
    RbacEngine e = allowOne("""
        {and_rules: {rules: [
          {or_rules: {rules: [{url_path: {path: {exact: /a}}}, {url_path: {path: {exact: /b}}}]}},
          {not_rule: {header: {name: ':method', string_match: {exact: DELETE}}}}]}}""", ANY);
    assertThat(allows(e, req("GET", "/a"))).isTrue();
    assertThat(allows(e, req("PUT", "/b"))).isTrue();
    assertThat(allows(e, req("DELETE", "/a"))).isFalse();
    assertThat(allows(e, req("GET", "/c"))).isFalse();
  }

  @Test
  void headerMatchersJoinRepeatedValuesAndReadPseudoHeaders() {
    RbacEngine joined = allowOne("{header: {name: x-tag, string_match: {exact: 'a,b'}}}", ANY);
    assertThat(allows(joined, req("GET", "/").header("x-tag", "a").header("x-tag", "b"))).isTrue();
    assertThat(allows(joined, req("GET", "/").header("x-tag", "a"))).isFalse();

    RbacEngine authority = allowOne("{header: {name: ':authority', string_match: {suffix: .EXAMPLE.com, ignore_case: true}}}", ANY);
    assertThat(allows(authority, req("GET", "/").with(b -> b.authority("api.example.COM")))).isTrue();
    assertThat(allows(authority, req("GET", "/").with(b -> b.authority("example.org")))).isFalse();

    RbacEngine pathWithQuery = allowOne("{header: {name: ':path', string_match: {exact: '/q?x=1'}}}", ANY);
    assertThat(allows(pathWithQuery, req("GET", "/q?x=1"))).as(":path keeps the query").isTrue();

    RbacEngine scheme = allowOne("{header: {name: ':scheme', exact_match: https}}", ANY);
    assertThat(allows(scheme, req("GET", "/").with(b -> b.scheme("https")))).isTrue();
    assertThat(allows(scheme, req("GET", "/"))).isFalse();
  }

  @Test
  void headerMatcherKinds() {
    assertThat(allows(allowOne("{header: {name: x, prefix_match: ab}}", ANY), req("GET", "/").header("x", "abc"))).isTrue();
    assertThat(allows(allowOne("{header: {name: x, suffix_match: bc}}", ANY), req("GET", "/").header("x", "abc"))).isTrue();
    assertThat(allows(allowOne("{header: {name: x, contains_match: b}}", ANY), req("GET", "/").header("x", "abc"))).isTrue();
    assertThat(allows(allowOne("{header: {name: x, contains_match: z}}", ANY), req("GET", "/").header("x", "abc"))).isFalse();
    assertThat(allows(allowOne("{header: {name: x, safe_regex_match: {regex: 'a.c'}}}", ANY),
        req("GET", "/").header("x", "abc"))).isTrue();
    assertThat(allows(allowOne("{header: {name: x, safe_regex_match: {regex: 'b'}}}", ANY),
        req("GET", "/").header("x", "abc"))).as("regexes match the whole value").isFalse();
    assertThat(allows(allowOne("{header: {name: x, range_match: {start: 10, end: 20}}}", ANY),
        req("GET", "/").header("x", "19"))).isTrue();
    assertThat(allows(allowOne("{header: {name: x, range_match: {start: 10, end: 20}}}", ANY),
        req("GET", "/").header("x", "20"))).isFalse();
    assertThat(allows(allowOne("{header: {name: x, string_match: {contains: B, ignore_case: true}}}", ANY),
        req("GET", "/").header("x", "abc"))).isTrue();
  }

  @Test
  void headerPresenceInversionAndMissingHeaders() {
    RbacEngine present = allowOne("{header: {name: x, present_match: true}}", ANY);
    assertThat(allows(present, req("GET", "/").header("x", ""))).isTrue();
    assertThat(allows(present, req("GET", "/"))).isFalse();
    RbacEngine absent = allowOne("{header: {name: x, present_match: false}}", ANY);
    assertThat(allows(absent, req("GET", "/"))).isTrue();
    RbacEngine inverted = allowOne("{header: {name: x, string_match: {exact: a}, invert_match: true}}", ANY);
    assertThat(allows(inverted, req("GET", "/").header("x", "b"))).isTrue();
    assertThat(allows(inverted, req("GET", "/").header("x", "a"))).isFalse();
    assertThat(allows(inverted, req("GET", "/"))).as("a missing header fails even an inverted value rule").isFalse();
    RbacEngine empty = allowOne("{header: {name: x, string_match: {exact: ''}, treat_missing_header_as_empty: true}}", ANY);
    assertThat(allows(empty, req("GET", "/"))).isTrue();
  }

  @Test
  void urlPathIgnoresQueryAndFragment() {
    RbacEngine e = allowOne("{url_path: {path: {exact: /get}}}", ANY);
    assertThat(allows(e, req("GET", "/get?x=/post"))).isTrue();
    assertThat(allows(e, req("GET", "/get#frag"))).isTrue();
    assertThat(allows(e, req("GET", "/GET"))).isFalse();
    assertThat(allows(e, req("CONNECT", null))).as("no :path never matches").isFalse();
    RbacEngine ic = allowOne("{url_path: {path: {prefix: /API/, ignore_case: true}}}", ANY);
    assertThat(allows(ic, req("GET", "/api/v1"))).isTrue();
  }

  @Test
  void uriTemplatesMatchSegmentsAndTextGlobs() {
    RbacEngine one = allowOne(template("/path/template/*"), ANY);
    assertThat(allows(one, req("GET", "/path/template/x"))).isTrue();
    assertThat(allows(one, req("GET", "/path/template/x/y"))).isFalse();
    assertThat(allows(one, req("GET", "/path/template/"))).isFalse();
    RbacEngine glob = allowOne(template("/**/path/template"), ANY);
    assertThat(allows(glob, req("GET", "/a/b/path/template?q"))).isTrue();
    assertThat(allows(glob, req("GET", "/a/b/path/other"))).isFalse();
    RbacEngine variable = allowOne(template("/videos/{id}/{rest=**}.mpd"), ANY);
    assertThat(allows(variable, req("GET", "/videos/42/dash/x/manifest.mpd"))).isTrue();
    assertThat(allows(variable, req("GET", "/videos/42/manifest.txt"))).isFalse();
  }

  static String template(String t) {
    return "{uri_template: {name: t, typed_config: {'@type': " + UriTemplate.TYPE + ", path_template: '" + t + "'}}}";
  }

  @Test
  void destinationIpAndPortsReadTheLocalAddress() {
    RbacEngine ip = allowOne("{destination_ip: {address_prefix: 10.0.0.0, prefix_len: 24}}", ANY);
    assertThat(allows(ip, req("GET", "/"))).isTrue();
    assertThat(allows(ip, req("GET", "/").with(b -> b.localAddress(addr("10.0.1.1", 80))))).isFalse();
    RbacEngine v6 = allowOne("{destination_ip: {address_prefix: 'fd00::', prefix_len: 8}}", ANY);
    assertThat(allows(v6, req("GET", "/").with(b -> b.localAddress(addr("fd12::1", 80))))).isTrue();
    assertThat(allows(v6, req("GET", "/"))).as("families never mix").isFalse();
    RbacEngine port = allowOne("{destination_port: 8080}", ANY);
    assertThat(allows(port, req("GET", "/"))).isTrue();
    assertThat(allows(port, req("GET", "/").with(b -> b.localAddress(addr("10.0.0.1", 8081))))).isFalse();
    RbacEngine range = allowOne("{destination_port_range: {start: 8000, end: 8080}}", ANY);
    assertThat(allows(range, req("GET", "/").with(b -> b.localAddress(addr("10.0.0.1", 8079))))).isTrue();
    assertThat(allows(range, req("GET", "/"))).as("the range end is exclusive").isFalse();
  }

  @Test
  void requestedServerNameIsEmptyWithoutTls() {
    RbacEngine e = allowOne("{requested_server_name: {suffix: .example.com}}", ANY);
    assertThat(allows(e, req("GET", "/").with(b -> b.requestedServerName("api.example.com")))).isTrue();
    assertThat(allows(e, req("GET", "/"))).isFalse();
    RbacEngine empty = allowOne("{requested_server_name: {exact: ''}}", ANY);
    assertThat(allows(empty, req("GET", "/"))).isTrue();
  }

  @Test
  void metadataMatchersReadDynamicMetadataPaths() {
    RbacEngine e = allowOne("""
        {metadata: {filter: envoy.filters.http.jwt_authn, path: [{key: payload}, {key: aud}],
          value: {list_match: {one_of: {string_match: {exact: web}}}}}}""", ANY);
    Struct jwt = Struct.newBuilder().putFields("payload", Value.newBuilder().setStructValue(Struct.newBuilder()
        .putFields("aud", Value.newBuilder().setListValue(com.google.protobuf.ListValue.newBuilder()
            .addValues(Value.newBuilder().setStringValue("cli")).addValues(Value.newBuilder().setStringValue("web")))
            .build())).build()).build();
    assertThat(allows(e, req("GET", "/").with(b -> b.dynamicMetadata(ns -> ns.equals("envoy.filters.http.jwt_authn")
        ? jwt : null)))).isTrue();
    assertThat(allows(e, req("GET", "/"))).as("no metadata, no match").isFalse();
    RbacEngine inverted = allowOne("""
        {metadata: {filter: f, path: [{key: k}], value: {present_match: true}, invert: true}}""", ANY);
    assertThat(allows(inverted, req("GET", "/"))).isTrue();
    RbacEngine number = allowOne("""
        {sourced_metadata: {metadata_matcher: {filter: f, path: [{key: n}], value: {double_match: {range: {start: 1, end: 2}}}}}}""",
        ANY);
    Struct f = Struct.newBuilder().putFields("n", Value.newBuilder().setNumberValue(1.5).build()).build();
    assertThat(allows(number, req("GET", "/").with(b -> b.dynamicMetadata(ns -> f)))).isTrue();
  }
}
