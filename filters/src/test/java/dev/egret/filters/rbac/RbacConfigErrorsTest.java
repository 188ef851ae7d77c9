package dev.egret.filters.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What Egret does not implement is rejected with the field's path, never ignored. */
class RbacConfigErrorsTest {
  static List<String> errors(String yaml) {
    return Rbac.errors(yaml).stream().map(ConfigError::toString).toList();
  }

  @Test
  void celConditionsAreRejectedByPath() {
    assertThat(errors("""
        policies:
          p:
            permissions: [{any: true}]
            principals: [{any: true}]
            condition: {const_expr: {bool_value: true}}
        """)).anySatisfy(e -> assertThat(e).startsWith("rules.policies.p.condition: CEL in RBAC policies"));
  }

  @Test
  void customMatchersAndPrincipalsAreRejectedByPath() {
    assertThat(errors("""
        policies:
          p:
            permissions: [{and_rules: {rules: [{any: true}, {matcher: {name: x}}]}}]
            principals: [{not_id: {custom: {name: y}}}]
        """)).containsExactlyInAnyOrder(
            "rules.policies.p.permissions[0].and_rules.rules[1].matcher: field 'matcher' of "
                + "envoy.config.rbac.v3.Permission is not supported by Egret",
            "rules.policies.p.principals[0].not_id.custom: field 'custom' of "
                + "envoy.config.rbac.v3.Principal is not supported by Egret");
  }

  @Test
  void filterStateKeysOtherThanThePeerPrincipalAreRejected() {
    assertThat(errors("""
        policies:
          p:
            permissions: [{any: true}]
            principals: [{filter_state: {key: my.key, string_match: {exact: v}}}]
        """)).singleElement().satisfies(e -> assertThat(e)
            .startsWith("rules.policies.p.principals[0].filter_state.key: filter_state key 'my.key' is not supported")
            .contains("io.istio.peer_principal"));
  }

  @Test
  void badRegexesCidrsAndEmptyPoliciesAreReported() {
    assertThat(errors("""
        policies:
          p:
            permissions: [{header: {name: x, safe_regex_match: {regex: '(a)\\1'}}}]
            principals: [{remote_ip: {address_prefix: 10.0.0.0, prefix_len: 33}}]
          q:
            permissions: []
            principals: [{authenticated: {principal_name: {safe_regex: {regex: '(?=x)'}}}}]
        """)).containsExactlyInAnyOrder(
            "rules.policies.p.permissions[0].header.safe_regex_match.regex: invalid regex '(a)\\1': "
                + "backreferences are not supported (RE2)",
            "rules.policies.p.principals[0].remote_ip.prefix_len: prefix_len 33 exceeds the 32 bits of 10.0.0.0",
            "rules.policies.q.permissions: a policy needs at least one permission",
            "rules.policies.q.principals[0].authenticated.principal_name.safe_regex.regex: invalid regex '(?=x)': "
                + "look-around is not supported (RE2)");
  }

  @Test
  void routeMetadataAndAuditLoggingAreRejected() {
    assertThat(errors("""
        audit_logging_options: {audit_condition: ON_DENY}
        policies:
          p:
            permissions: [{sourced_metadata: {metadata_matcher: {filter: f, path: [{key: k}], value: {present_match: true}},
                           metadata_source: ROUTE}}]
            principals: [{any: true}]
        """)).containsExactlyInAnyOrder(
            "rules.audit_logging_options: field 'audit_logging_options' of envoy.config.rbac.v3.RBAC is not supported by Egret",
            "rules.policies.p.permissions[0].sourced_metadata.metadata_source: metadata_source ROUTE is not supported "
                + "by Egret (route metadata is not visible to filters yet); only DYNAMIC");
  }

  @Test
  void theFilterRejectsTheMatcherFormAndPerRuleStats() throws Exception {
    RBAC proto = dev.egret.core.config.BootstrapLoader.parse("""
        matcher: {on_no_match: {action: {name: a, typed_config: {'@type': type.googleapis.com/envoy.config.rbac.v3.Action, name: x}}}}
        track_per_rule_stats: true
        """, "test", RBAC.newBuilder()).build();
    ConfigPath at = ConfigPath.root("typed_config");
    assertThat(RbacFilterProvider.compile(proto, at)).isNull();
    assertThat(at.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
        "typed_config.matcher: the RBAC matcher form (matcher, CEL matchers) is not supported by Egret yet; "
            + "use rules / shadow_rules",
        "typed_config.track_per_rule_stats: field 'track_per_rule_stats' of "
            + "envoy.extensions.filters.http.rbac.v3.RBAC is not supported by Egret");
  }

  @Test
  void anEmptyFilterConfigEnforcesNothing() {
    ConfigPath at = ConfigPath.root("typed_config");
    RbacFilterFactory f = RbacFilterProvider.compile(RBAC.getDefaultInstance(), at);
    assertThat(at.errors()).isEmpty();
    assertThat(f.engine()).isNull();
    assertThat(f.shadowEngine()).isNull();
  }
}
