package dev.egret.filters.rbac;

import dev.egret.core.match.StringMatch;

import dev.egret.core.config.ConfigPath;
import dev.egret.filters.cel.CelCondition;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.rbac.v3.MetadataSource;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.rbac.v3.SourcedMetadata;
import io.envoyproxy.envoy.type.matcher.v3.FilterStateMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.v3.Int32Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles {@code envoy.config.rbac.v3.RBAC} into an {@link RbacEngine}. Every message is checked with
 * {@link Fields#allowOnly}: {@code audit_logging_options}, custom {@code matcher} permissions and
 * {@code custom} principals are rejected with their path. A policy's {@code condition} (parsed) or
 * {@code checked_condition} is type-checked as CEL against Egret's attributes ({@link
 * dev.egret.filters.cel.CelAttributes}) and must be boolean; an expression that fails at run time
 * makes its policy not match. {@code filter_state} is accepted only for {@code io.istio.peer_principal}
 * (see {@link RbacFilter} for where its value comes from); route-sourced metadata is rejected.
 */
public final class RbacCompiler {
  /** The one filter-state key Egret can supply today. */
  public static final String PEER_PRINCIPAL_KEY = "io.istio.peer_principal";

  private RbacCompiler() {}

  /** The engine, or null after reporting every problem at {@code at}. */
  public static RbacEngine compile(RBAC proto, ConfigPath at) {
    int before = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("action", "policies"));
    RbacEngine.Action action = switch (proto.getAction()) {
      case ALLOW -> RbacEngine.Action.ALLOW;
      case DENY -> RbacEngine.Action.DENY;
      case LOG -> RbacEngine.Action.LOG;
      case UNRECOGNIZED -> {
        at.field("action").error("unknown action " + proto.getActionValue());
        yield null;
      }
    };
    List<RbacPolicy> policies = new ArrayList<>();
    for (Map.Entry<String, Policy> e : new TreeMap<>(proto.getPoliciesMap()).entrySet()) {
      RbacPolicy p = policy(e.getKey(), e.getValue(), at.field("policies").field(e.getKey()));
      if (p != null) {
        policies.add(p);
      }
    }
    return at.errorCount() > before ? null : new RbacEngine(action, policies);
  }

  private static RbacPolicy policy(String name, Policy p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("permissions", "principals", "condition", "checked_condition"));
    CelCondition condition = null;
    if (p.hasCondition() && p.hasCheckedCondition()) {
      at.error("only one of condition and checked_condition may be set");
    } else if (p.hasCondition()) {
      condition = CelCondition.compileV1alpha1(p.getCondition(), at.field("condition"));
    } else if (p.hasCheckedCondition()) {
      condition = CelCondition.compileV1alpha1(p.getCheckedCondition(), at.field("checked_condition"));
    }
    if (p.getPermissionsCount() == 0) {
      at.field("permissions").error("a policy needs at least one permission");
    }
    if (p.getPrincipalsCount() == 0) {
      at.field("principals").error("a policy needs at least one principal");
    }
    RbacMatcher[] perms = new RbacMatcher[p.getPermissionsCount()];
    for (int i = 0; i < perms.length; i++) {
      perms[i] = permission(p.getPermissions(i), at.field("permissions").index(i));
    }
    RbacMatcher[] ids = new RbacMatcher[p.getPrincipalsCount()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = principal(p.getPrincipals(i), at.field("principals").index(i));
    }
    return new RbacPolicy(name, perms, ids, condition);
  }

  static RbacMatcher permission(Permission p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("and_rules", "or_rules", "any", "header", "url_path", "destination_ip",
        "destination_port", "destination_port_range", "metadata", "not_rule", "requested_server_name",
        "uri_template", "sourced_metadata"));
    return switch (p.getRuleCase()) {
      case AND_RULES -> set(p.getAndRules().getRulesList(), at.field("and_rules"), true);
      case OR_RULES -> set(p.getOrRules().getRulesList(), at.field("or_rules"), false);
      case ANY -> any(p.getAny(), at.field("any"));
      case HEADER -> HeaderRule.compile(p.getHeader(), at.field("header"));
      case URL_PATH -> urlPath(p.getUrlPath(), at.field("url_path"));
      case DESTINATION_IP -> ip(RbacMatcher.AddressSource.LOCAL, Cidr.compile(p.getDestinationIp(),
          at.field("destination_ip")));
      case DESTINATION_PORT -> {
        int port = p.getDestinationPort();
        if (port > 65535) {
          at.field("destination_port").error("port " + port + " is above 65535");
          yield null;
        }
        yield new RbacMatcher.DestinationPort(port, port + 1);
      }
      case DESTINATION_PORT_RANGE -> portRange(p.getDestinationPortRange(), at.field("destination_port_range"));
      case METADATA -> MetadataRule.compile(p.getMetadata(), at.field("metadata"));
      case SOURCED_METADATA -> sourced(p.getSourcedMetadata(), at.field("sourced_metadata"));
      case NOT_RULE -> not(permission(p.getNotRule(), at.field("not_rule")));
      case REQUESTED_SERVER_NAME -> {
        StringMatch s = StringMatch.compile(p.getRequestedServerName(), at.field("requested_server_name"));
        yield s == null ? null : new RbacMatcher.ServerName(s);
      }
      case URI_TEMPLATE -> UriTemplate.compile(p.getUriTemplate(), at.field("uri_template"));
      case MATCHER -> null; // reported by allowOnly
      case RULE_NOT_SET -> {
        at.error("permission needs a rule");
        yield null;
      }
    };
  }

  static RbacMatcher principal(Principal p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("and_ids", "or_ids", "any", "authenticated", "source_ip", "direct_remote_ip",
        "remote_ip", "header", "url_path", "metadata", "not_id", "filter_state", "sourced_metadata"));
    return switch (p.getIdentifierCase()) {
      case AND_IDS -> ids(p.getAndIds().getIdsList(), at.field("and_ids"), true);
      case OR_IDS -> ids(p.getOrIds().getIdsList(), at.field("or_ids"), false);
      case ANY -> any(p.getAny(), at.field("any"));
      case AUTHENTICATED -> {
        ConfigPath aa = at.field("authenticated");
        Fields.allowOnly(p.getAuthenticated(), aa, Set.of("principal_name"));
        if (!p.getAuthenticated().hasPrincipalName()) {
          yield new RbacMatcher.Authenticated(null);
        }
        StringMatch s = StringMatch.compile(p.getAuthenticated().getPrincipalName(), aa.field("principal_name"));
        yield s == null ? null : new RbacMatcher.Authenticated(s);
      }
      case SOURCE_IP -> ip(RbacMatcher.AddressSource.SOURCE, Cidr.compile(p.getSourceIp(), at.field("source_ip")));
      case DIRECT_REMOTE_IP -> ip(RbacMatcher.AddressSource.DIRECT_REMOTE,
          Cidr.compile(p.getDirectRemoteIp(), at.field("direct_remote_ip")));
      case REMOTE_IP -> ip(RbacMatcher.AddressSource.REMOTE, Cidr.compile(p.getRemoteIp(), at.field("remote_ip")));
      case HEADER -> HeaderRule.compile(p.getHeader(), at.field("header"));
      case URL_PATH -> urlPath(p.getUrlPath(), at.field("url_path"));
      case METADATA -> MetadataRule.compile(p.getMetadata(), at.field("metadata"));
      case SOURCED_METADATA -> sourced(p.getSourcedMetadata(), at.field("sourced_metadata"));
      case NOT_ID -> not(principal(p.getNotId(), at.field("not_id")));
      case FILTER_STATE -> filterState(p.getFilterState(), at.field("filter_state"));
      case CUSTOM -> null; // reported by allowOnly
      case IDENTIFIER_NOT_SET -> {
        at.error("principal needs an identifier");
        yield null;
      }
    };
  }

  private static RbacMatcher set(List<Permission> rules, ConfigPath at, boolean and) {
    if (rules.isEmpty()) {
      at.field("rules").error("needs at least one rule");
      return null;
    }
    RbacMatcher[] ms = new RbacMatcher[rules.size()];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = permission(rules.get(i), at.field("rules").index(i));
    }
    return combine(ms, and);
  }

  private static RbacMatcher ids(List<Principal> ids, ConfigPath at, boolean and) {
    if (ids.isEmpty()) {
      at.field("ids").error("needs at least one id");
      return null;
    }
    RbacMatcher[] ms = new RbacMatcher[ids.size()];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = principal(ids.get(i), at.field("ids").index(i));
    }
    return combine(ms, and);
  }

  private static RbacMatcher combine(RbacMatcher[] ms, boolean and) {
    for (RbacMatcher m : ms) {
      if (m == null) {
        return null;
      }
    }
    if (ms.length == 1) {
      return ms[0];
    }
    return and ? new RbacMatcher.And(ms) : new RbacMatcher.Or(ms);
  }

  private static RbacMatcher any(boolean any, ConfigPath at) {
    if (!any) {
      at.error("any must be true");
      return null;
    }
    return RbacMatcher.ANY;
  }

  private static RbacMatcher not(RbacMatcher inner) {
    return inner == null ? null : new RbacMatcher.Not(inner);
  }

  private static RbacMatcher ip(RbacMatcher.AddressSource source, Cidr range) {
    return range == null ? null : new RbacMatcher.Ip(source, range);
  }

  private static RbacMatcher urlPath(PathMatcher p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("path"));
    if (!p.hasPath()) {
      at.field("path").error("url_path needs path");
      return null;
    }
    StringMatch s = StringMatch.compile(p.getPath(), at.field("path"));
    return s == null ? null : new RbacMatcher.UrlPath(s);
  }

  private static RbacMatcher portRange(Int32Range r, ConfigPath at) {
    Fields.allowOnly(r, at, Set.of("start", "end"));
    if (r.getStart() > r.getEnd() || r.getStart() < 0 || r.getEnd() > 65536) {
      at.error("port range [" + r.getStart() + ", " + r.getEnd() + ") must be within [0, 65536) with start <= end");
      return null;
    }
    return new RbacMatcher.DestinationPort(r.getStart(), r.getEnd());
  }

  private static RbacMatcher sourced(SourcedMetadata s, ConfigPath at) {
    Fields.allowOnly(s, at, Set.of("metadata_matcher", "metadata_source"));
    if (s.getMetadataSource() != MetadataSource.DYNAMIC) {
      at.field("metadata_source").error("metadata_source " + s.getMetadataSource()
          + " is not supported by Egret (route metadata is not visible to filters yet); only DYNAMIC");
      return null;
    }
    MetadataMatcher m = s.getMetadataMatcher();
    return MetadataRule.compile(m, at.field("metadata_matcher"));
  }

  private static RbacMatcher filterState(FilterStateMatcher f, ConfigPath at) {
    Fields.allowOnly(f, at, Set.of("key", "string_match"));
    if (!f.getKey().equals(PEER_PRINCIPAL_KEY)) {
      at.field("key").error("filter_state key '" + f.getKey() + "' is not supported: Egret has no filter state "
          + "yet and supplies only '" + PEER_PRINCIPAL_KEY + "' (the peer's URI SAN)");
      return null;
    }
    if (!f.hasStringMatch()) {
      at.error("filter_state needs string_match");
      return null;
    }
    StringMatch s = StringMatch.compile(f.getStringMatch(), at.field("string_match"));
    return s == null ? null : new RbacMatcher.FilterState(f.getKey(), s);
  }
}
