package dev.egret.filters.rbac;

import dev.egret.core.match.StringMatch;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.type.matcher.v3.DoubleMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.List;
import java.util.Set;

/**
 * A compiled {@code MetadataMatcher} over the request's dynamic metadata: the value at
 * {@code filter} / {@code path[0].key} / … (absent when any step is missing or not a struct) is
 * tested by the value matcher, then {@code invert} applies.
 *
 * <p>Value matchers: {@code null_match}, {@code double_match} (exact, or range [start, end)),
 * {@code string_match}, {@code bool_match}, {@code present_match} (a value exists; {@code false}
 * matches nothing, as in Envoy), {@code list_match.one_of} (some element of a list), {@code or_match}.
 * Egret's filters write no dynamic metadata yet (no jwt_authn), so Istio's request-principal
 * matchers see an absent value, as Envoy does without a JWT filter.
 */
final class MetadataRule implements RbacMatcher {
  private final String filter;
  private final String[] path;
  private final ValueMatch value;
  private final boolean invert;

  private MetadataRule(String filter, String[] path, ValueMatch value, boolean invert) {
    this.filter = filter;
    this.path = path;
    this.value = value;
    this.invert = invert;
  }

  /** Compiles a metadata matcher; null after reporting at {@code at}. */
  static MetadataRule compile(MetadataMatcher p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("filter", "path", "value", "invert"));
    if (p.getFilter().isEmpty()) {
      at.field("filter").error("filter must not be empty");
      return null;
    }
    if (p.getPathCount() == 0) {
      at.field("path").error("path needs at least one segment");
      return null;
    }
    String[] keys = new String[p.getPathCount()];
    for (int i = 0; i < keys.length; i++) {
      ConfigPath pa = at.field("path").index(i);
      Fields.allowOnly(p.getPath(i), pa, Set.of("key"));
      keys[i] = p.getPath(i).getKey();
      if (keys[i].isEmpty()) {
        pa.field("key").error("key must not be empty");
        return null;
      }
    }
    if (!p.hasValue()) {
      at.field("value").error("value matcher is required");
      return null;
    }
    ValueMatch v = value(p.getValue(), at.field("value"));
    return v == null ? null : new MetadataRule(p.getFilter(), keys, v, p.getInvert());
  }

  private static ValueMatch value(ValueMatcher p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("null_match", "double_match", "string_match", "bool_match", "present_match",
        "list_match", "or_match"));
    switch (p.getMatchPatternCase()) {
      case NULL_MATCH:
        Fields.allowOnly(p.getNullMatch(), at.field("null_match"), Set.of());
        return v -> v != null && v.getKindCase() == Value.KindCase.NULL_VALUE;
      case DOUBLE_MATCH: {
        DoubleMatcher d = p.getDoubleMatch();
        Fields.allowOnly(d, at.field("double_match"), Set.of("range", "exact"));
        if (d.hasRange()) {
          double s = d.getRange().getStart();
          double e = d.getRange().getEnd();
          return v -> v != null && v.getKindCase() == Value.KindCase.NUMBER_VALUE
              && v.getNumberValue() >= s && v.getNumberValue() < e;
        }
        if (d.getMatchPatternCase() == DoubleMatcher.MatchPatternCase.EXACT) {
          double x = d.getExact();
          return v -> v != null && v.getKindCase() == Value.KindCase.NUMBER_VALUE && v.getNumberValue() == x;
        }
        at.field("double_match").error("double_match needs range or exact");
        return null;
      }
      case STRING_MATCH: {
        StringMatch s = StringMatch.compile(p.getStringMatch(), at.field("string_match"));
        return s == null ? null
            : v -> v != null && v.getKindCase() == Value.KindCase.STRING_VALUE && s.matches(v.getStringValue());
      }
      case BOOL_MATCH: {
        boolean b = p.getBoolMatch();
        return v -> v != null && v.getKindCase() == Value.KindCase.BOOL_VALUE && v.getBoolValue() == b;
      }
      case PRESENT_MATCH: {
        boolean want = p.getPresentMatch();
        return v -> want && v != null && v.getKindCase() != Value.KindCase.KIND_NOT_SET;
      }
      case LIST_MATCH: {
        ConfigPath la = at.field("list_match");
        Fields.allowOnly(p.getListMatch(), la, Set.of("one_of"));
        if (!p.getListMatch().hasOneOf()) {
          la.error("list_match needs one_of");
          return null;
        }
        ValueMatch one = value(p.getListMatch().getOneOf(), la.field("one_of"));
        return one == null ? null : v -> {
          if (v == null || v.getKindCase() != Value.KindCase.LIST_VALUE) {
            return false;
          }
          List<Value> items = v.getListValue().getValuesList();
          for (int i = 0; i < items.size(); i++) {
            if (one.matches(items.get(i))) {
              return true;
            }
          }
          return false;
        };
      }
      case OR_MATCH: {
        ConfigPath oa = at.field("or_match");
        Fields.allowOnly(p.getOrMatch(), oa, Set.of("value_matchers"));
        int n = p.getOrMatch().getValueMatchersCount();
        if (n < 2) {
          oa.field("value_matchers").error("or_match needs at least 2 value_matchers");
          return null;
        }
        ValueMatch[] any = new ValueMatch[n];
        for (int i = 0; i < n; i++) {
          any[i] = value(p.getOrMatch().getValueMatchers(i), oa.field("value_matchers").index(i));
          if (any[i] == null) {
            return null;
          }
        }
        return v -> {
          for (ValueMatch m : any) {
            if (m.matches(v)) {
              return true;
            }
          }
          return false;
        };
      }
      default:
        at.error("value matcher needs one of null_match, double_match, string_match, bool_match, "
            + "present_match, list_match, or_match");
        return null;
    }
  }

  @Override
  public boolean matches(RbacRequest r) {
    return value.matches(lookup(r.dynamicMetadata(filter))) != invert;
  }

  private Value lookup(Struct ns) {
    if (ns == null) {
      return null;
    }
    Value v = null;
    Struct s = ns;
    for (int i = 0; i < path.length; i++) {
      if (s == null) {
        return null;
      }
      v = s.getFieldsMap().get(path[i]);
      if (v == null) {
        return null;
      }
      s = v.getKindCase() == Value.KindCase.STRUCT_VALUE ? v.getStructValue() : null;
    }
    return v;
  }

  /** A compiled {@code ValueMatcher}; the value is null when absent. */
  @FunctionalInterface
  private interface ValueMatch {
    boolean matches(Value v);
  }
}
