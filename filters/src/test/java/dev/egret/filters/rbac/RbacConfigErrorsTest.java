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
  void badCelConditionsAreErrorsAtTheirPath() {
    assertThat(errors("""
        policies:
          a-non-bool:
            permissions: [{any: true}]
            principals: [{any: true}]
            condition: {const_expr: {int64_value: 1}}
          b-unknown-attribute:
            permissions: [{any: true}]
            principals: [{any: true}]
            condition: {select_expr: {operand: {ident_expr: {name: request}}, field: pth}}
          c-both:
            permissions: [{any: true}]
            principals: [{any: true}]
            condition: {const_expr: {bool_value: true}}
            checked_condition: {expr: {const_expr: {bool_value: true}}}
        """)).satisfiesExactlyInAnyOrder(
            e -> assertThat(e).isEqualTo("rules.policies.a-non-bool.condition: CEL: expected type 'bool' but found 'int'"),
            e -> assertThat(e).startsWith("rules.policies.b-unknown-attribute.condition: CEL: ")
                .contains("undeclared reference to 'request'", "request.path"),
            e -> assertThat(e).isEqualTo(
                "rules.policies.c-both: only one of condition and checked_condition may be set"));
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
  void theFilterRejectsUnsupportedMatcherPartsAndPerRuleStats() throws Exception {
    RBAC proto = dev.egret.core.config.BootstrapLoader.parse("""
        matcher:
          matcher_list:
            matchers:
            - predicate: {single_predicate: {input: {name: ip, typed_config: {'@type': type.googleapis.com/xds.type.matcher.v3.HttpAttributesCelMatchInput}},
                value_match: {exact: x}}}
              on_match: {action: {name: a, typed_config: {'@type': type.googleapis.com/envoy.config.rbac.v3.Action, name: x}}}
          on_no_match: {action: {name: a, typed_config: {'@type': type.googleapis.com/envoy.config.rbac.v3.Action}}}
        track_per_rule_stats: true
        """, "test", RBAC.newBuilder()).build();
    ConfigPath at = ConfigPath.root("typed_config");
    assertThat(RbacFilterProvider.compile(proto, at)).isNull();
    assertThat(at.errors()).extracting(ConfigError::path).containsExactlyInAnyOrder(
        "typed_config.matcher.matcher_list.matchers[0].predicate.single_predicate",
        "typed_config.matcher.on_no_match.action.typed_config.name",
        "typed_config.track_per_rule_stats");
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
