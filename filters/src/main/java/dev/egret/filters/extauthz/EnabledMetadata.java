package dev.egret.filters.extauthz;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.StringMatch;
import dev.egret.core.stream.DynamicMetadata;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code filter_enabled_metadata}: a {@code MetadataMatcher} over the stream's dynamic metadata
 * deciding whether the filter runs. Istio uses a {@code string_match} prefix on
 * {@code envoy.filters.http.rbac/istio_ext_authz_shadow_effective_policy_id}; kgateway an inverted
 * {@code bool_match} on {@code dev.kgateway.disable_ext_auth/disable}. Value matchers:
 * {@code string_match}, {@code bool_match}, {@code present_match}.
 */
final class EnabledMetadata {
  private final String filter;
  private final String[] path;
  private final Predicate<Value> value;
  private final boolean invert;

  private EnabledMetadata(String filter, String[] path, Predicate<Value> value, boolean invert) {
    this.filter = filter;
    this.path = path;
    this.value = value;
    this.invert = invert;
  }

  /** Compiles; null after reporting at {@code at}. */
  static EnabledMetadata compile(MetadataMatcher p, ConfigPath at) {
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
      Fields.allowOnly(p.getPath(i), at.field("path").index(i), Set.of("key"));
      keys[i] = p.getPath(i).getKey();
    }
    ValueMatcher v = p.getValue();
    ConfigPath va = at.field("value");
    Fields.allowOnly(v, va, Set.of("string_match", "bool_match", "present_match"));
    Predicate<Value> test;
    switch (v.getMatchPatternCase()) {
      case STRING_MATCH -> {
        StringMatch m = StringMatch.compile(v.getStringMatch(), va.field("string_match"));
        if (m == null) {
          return null;
        }
        test = x -> x != null && x.getKindCase() == Value.KindCase.STRING_VALUE && m.matches(x.getStringValue());
      }
      case BOOL_MATCH -> {
        boolean b = v.getBoolMatch();
        test = x -> x != null && x.getKindCase() == Value.KindCase.BOOL_VALUE && x.getBoolValue() == b;
      }
      case PRESENT_MATCH -> {
        boolean present = v.getPresentMatch();
        test = x -> present && x != null;
      }
      case MATCHPATTERN_NOT_SET -> {
        va.error("value matcher needs string_match, bool_match or present_match");
        return null;
      }
      default -> {
        return null; // reported by allowOnly
      }
    }
    return new EnabledMetadata(p.getFilter(), keys, test, p.getInvert());
  }

  boolean matches(DynamicMetadata metadata) {
    Struct s = metadata == null ? null : metadata.get(filter);
    Value v = null;
    for (int i = 0; i < path.length && s != null; i++) {
      v = s.getFieldsMap().get(path[i]);
      s = v != null && v.getKindCase() == Value.KindCase.STRUCT_VALUE ? v.getStructValue() : null;
      if (v == null || (i < path.length - 1 && s == null)) {
        v = null;
        break;
      }
    }
    return value.test(v) != invert;
  }
}
