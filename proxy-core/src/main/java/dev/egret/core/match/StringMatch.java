package dev.egret.core.match;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled {@code envoy.type.matcher.v3.StringMatcher}: exact, prefix, suffix or contains (each
 * optionally ignoring ASCII case), or a full-string match of an RE2 regex compiled once.
 * Matching allocates nothing.
 */
public final class StringMatch {
  public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX }

  private final Kind kind;
  private final String value; // null for REGEX
  private final boolean ignoreCase;
  private final Pattern regex; // null unless REGEX

  private StringMatch(Kind kind, String value, boolean ignoreCase, Pattern regex) {
    this.kind = requireNonNull(kind, "kind");
    this.value = value;
    this.ignoreCase = ignoreCase;
    this.regex = regex;
  }

  public static StringMatch of(Kind kind, String value, boolean ignoreCase) {
    return new StringMatch(kind, requireNonNull(value, "value"), ignoreCase, null);
  }

  public static StringMatch regex(Pattern p) {
    return new StringMatch(Kind.REGEX, null, false, requireNonNull(p, "p"));
  }

  /** Compiles a {@code StringMatcher}; null after reporting at {@code at}. */
  public static StringMatch compile(StringMatcher proto, ConfigPath at) {
    Fields.allowOnly(proto, at, Set.of("exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"));
    boolean ic = proto.getIgnoreCase();
    return switch (proto.getMatchPatternCase()) {
      case EXACT -> of(Kind.EXACT, proto.getExact(), ic);
      case PREFIX -> nonEmpty(proto.getPrefix(), at.field("prefix")) ? of(Kind.PREFIX, proto.getPrefix(), ic) : null;
      case SUFFIX -> nonEmpty(proto.getSuffix(), at.field("suffix")) ? of(Kind.SUFFIX, proto.getSuffix(), ic) : null;
      case CONTAINS -> nonEmpty(proto.getContains(), at.field("contains"))
          ? of(Kind.CONTAINS, proto.getContains(), ic) : null;
      case SAFE_REGEX -> {
        if (ic) {
          at.field("ignore_case").error("ignore_case has no effect on safe_regex; use (?i) in the regex");
          yield null;
        }
        Pattern p = regex(proto.getSafeRegex(), at.field("safe_regex"));
        yield p == null ? null : regex(p);
      }
      case CUSTOM -> null; // reported by allowOnly
      case MATCHPATTERN_NOT_SET -> {
        at.error("string matcher needs one of exact, prefix, suffix, contains, safe_regex");
        yield null;
      }
    };
  }

  /** Compiles a {@code RegexMatcher}; null after reporting at {@code at}. */
  public static Pattern regex(RegexMatcher proto, ConfigPath at) {
    Fields.allowOnly(proto, at, Set.of("regex", "google_re2"));
    if (proto.hasGoogleRe2()) {
      Fields.allowOnly(proto.getGoogleRe2(), at.field("google_re2"), Set.of());
    }
    return Re2.compile(proto.getRegex(), at.field("regex"));
  }

  public static boolean nonEmpty(String v, ConfigPath at) {
    if (v.isEmpty()) {
      at.error("must not be empty");
      return false;
    }
    return true;
  }

  public boolean matches(String s) {
    if (s == null) {
      return false;
    }
    return switch (kind) {
      case EXACT -> ignoreCase ? s.length() == value.length() && region(s, 0, value) : s.equals(value);
      case PREFIX -> ignoreCase ? s.length() >= value.length() && region(s, 0, value) : s.startsWith(value);
      case SUFFIX -> ignoreCase ? s.length() >= value.length() && region(s, s.length() - value.length(), value)
          : s.endsWith(value);
      case CONTAINS -> ignoreCase ? containsIgnoreCase(s, value) : s.contains(value);
      case REGEX -> regex.matcher(s).matches();
    };
  }

  private static boolean containsIgnoreCase(String s, String v) {
    int last = s.length() - v.length();
    for (int i = 0; i <= last; i++) {
      if (region(s, i, v)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code s} holds {@code v} at {@code from}, ignoring ASCII case only (as Envoy does). */
  private static boolean region(String s, int from, String v) {
    for (int i = 0; i < v.length(); i++) {
      char a = s.charAt(from + i);
      char b = v.charAt(i);
      if (a != b && lower(a) != lower(b)) {
        return false;
      }
    }
    return true;
  }

  private static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + (ignoreCase ? "(ignore_case " : "(")
        + (regex != null ? regex.pattern() : value) + ")";
  }
}
