package dev.egret.filters.fault;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.StringMatch;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;

/**
 * The fault filter's {@code headers} entries, the simple forms only: {@code present_match}, {@code
 * exact_match}, {@code prefix_match}, {@code string_match}, each with {@code invert_match}. A missing
 * header matches only {@code present_match: false} (or an inverted value rule never, as Envoy's).
 * Several values of one header are joined with ','.
 */
record FaultHeaderMatch(String name, Boolean present, StringMatch value, boolean invert) {
  FaultHeaderMatch {
    requireNonNull(name, "name");
  }

  /** Compiles one matcher; null after recording errors. */
  static FaultHeaderMatch compile(HeaderMatcher m, ConfigPath at) {
    Fields.allowOnly(m, at, Set.of("name", "present_match", "exact_match", "prefix_match", "string_match",
        "invert_match"));
    String name = m.getName().toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      at.field("name").error("header name must not be empty");
      return null;
    }
    return switch (m.getHeaderMatchSpecifierCase()) {
      case PRESENT_MATCH -> new FaultHeaderMatch(name, m.getPresentMatch(), null, m.getInvertMatch());
      case EXACT_MATCH -> new FaultHeaderMatch(name, null,
          StringMatch.of(StringMatch.Kind.EXACT, m.getExactMatch(), false), m.getInvertMatch());
      case PREFIX_MATCH -> new FaultHeaderMatch(name, null,
          StringMatch.of(StringMatch.Kind.PREFIX, m.getPrefixMatch(), false), m.getInvertMatch());
      case STRING_MATCH -> {
        StringMatch s = StringMatch.compile(m.getStringMatch(), at.field("string_match"));
        yield s == null ? null : new FaultHeaderMatch(name, null, s, m.getInvertMatch());
      }
      case HEADERMATCHSPECIFIER_NOT_SET -> new FaultHeaderMatch(name, true, null, m.getInvertMatch());
      default -> null; // reported by allowOnly
    };
  }

  boolean matches(HttpHeaders headers) {
    java.util.List<String> all = headers.getAll(name);
    if (present != null) {
      return (!all.isEmpty() == present) != invert;
    }
    if (all.isEmpty()) {
      return false;
    }
    return value.matches(String.join(",", all)) != invert;
  }
}
