package dev.egret.filters.rbac;

import dev.egret.core.match.StringMatch;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled route {@code HeaderMatcher} as RBAC uses it. {@code :authority} / {@code host},
 * {@code :path} (query included), {@code :method} and {@code :scheme} read the request line; other
 * names read the headers, several values joined with {@code ,}. A missing header fails every value
 * rule, inverted or not, unless {@code treat_missing_header_as_empty}; {@code present_match} compares
 * presence and then applies {@code invert_match}; no specifier means present. {@code range_match} is
 * {@code [start, end)} on a signed base-10 integer.
 */
final class HeaderRule implements RbacMatcher {
  private enum Source { HEADER, AUTHORITY, PATH, METHOD, SCHEME }

  private enum Kind { PRESENT, VALUE, RANGE }

  private final String name;
  private final Source source;
  private final Kind kind;
  private final boolean present;
  private final StringMatch value; // VALUE; null = any value
  private final long start;
  private final long end;
  private final boolean invert;
  private final boolean missingAsEmpty;

  private HeaderRule(String name, Kind kind, boolean present, StringMatch value, long start, long end,
      boolean invert, boolean missingAsEmpty) {
    this.name = name.toLowerCase(Locale.ROOT);
    this.source = switch (this.name) {
      case ":authority", "host" -> Source.AUTHORITY;
      case ":path" -> Source.PATH;
      case ":method" -> Source.METHOD;
      case ":scheme" -> Source.SCHEME;
      default -> Source.HEADER;
    };
    this.kind = kind;
    this.present = present;
    this.value = value;
    this.start = start;
    this.end = end;
    this.invert = invert;
    this.missingAsEmpty = missingAsEmpty;
  }

  /** Compiles a header matcher; null after reporting at {@code at}. */
  static HeaderRule compile(HeaderMatcher p, ConfigPath at) {
    Fields.allowOnly(p, at, Set.of("name", "exact_match", "prefix_match", "suffix_match", "contains_match",
        "safe_regex_match", "present_match", "range_match", "string_match", "invert_match",
        "treat_missing_header_as_empty"));
    String name = p.getName();
    if (name.isEmpty()) {
      at.field("name").error("header name must not be empty");
      return null;
    }
    boolean inv = p.getInvertMatch();
    boolean empty = p.getTreatMissingHeaderAsEmpty();
    StringMatch v = switch (p.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> p.getExactMatch().isEmpty() ? null // Envoy: an empty exact_match takes any value
          : StringMatch.of(StringMatch.Kind.EXACT, p.getExactMatch(), false);
      case PREFIX_MATCH -> StringMatch.nonEmpty(p.getPrefixMatch(), at.field("prefix_match"))
          ? StringMatch.of(StringMatch.Kind.PREFIX, p.getPrefixMatch(), false) : null;
      case SUFFIX_MATCH -> StringMatch.nonEmpty(p.getSuffixMatch(), at.field("suffix_match"))
          ? StringMatch.of(StringMatch.Kind.SUFFIX, p.getSuffixMatch(), false) : null;
      case CONTAINS_MATCH -> StringMatch.nonEmpty(p.getContainsMatch(), at.field("contains_match"))
          ? StringMatch.of(StringMatch.Kind.CONTAINS, p.getContainsMatch(), false) : null;
      case SAFE_REGEX_MATCH -> {
        Pattern re = StringMatch.regex(p.getSafeRegexMatch(), at.field("safe_regex_match"));
        yield re == null ? null : StringMatch.regex(re);
      }
      case STRING_MATCH -> StringMatch.compile(p.getStringMatch(), at.field("string_match"));
      default -> null;
    };
    return switch (p.getHeaderMatchSpecifierCase()) {
      case RANGE_MATCH -> {
        Fields.allowOnly(p.getRangeMatch(), at.field("range_match"), Set.of("start", "end"));
        yield new HeaderRule(name, Kind.RANGE, true, null, p.getRangeMatch().getStart(),
            p.getRangeMatch().getEnd(), inv, empty);
      }
      case PRESENT_MATCH -> new HeaderRule(name, Kind.PRESENT, p.getPresentMatch(), null, 0, 0, inv, false);
      case HEADERMATCHSPECIFIER_NOT_SET -> new HeaderRule(name, Kind.PRESENT, true, null, 0, 0, inv, false);
      case EXACT_MATCH -> new HeaderRule(name, Kind.VALUE, true, v, 0, 0, inv, empty);
      default -> v == null ? null : new HeaderRule(name, Kind.VALUE, true, v, 0, 0, inv, empty);
    };
  }

  @Override
  public boolean matches(RbacRequest r) {
    String v = lookup(r);
    if (kind == Kind.PRESENT) {
      return ((v != null) == present) != invert;
    }
    if (v == null) {
      if (!missingAsEmpty) {
        return false;
      }
      v = "";
    }
    boolean m = kind == Kind.RANGE ? inRange(v) : value == null || value.matches(v);
    return m != invert;
  }

  private String lookup(RbacRequest r) {
    return switch (source) {
      case AUTHORITY -> r.authority() != null ? r.authority() : joined(r.headers());
      case PATH -> r.path();
      case METHOD -> r.method();
      case SCHEME -> r.scheme();
      case HEADER -> joined(r.headers());
    };
  }

  private String joined(HttpHeaders headers) {
    Iterator<String> it = headers.valueStringIterator(name);
    if (!it.hasNext()) {
      return null;
    }
    String first = it.next();
    return it.hasNext() ? String.join(",", headers.getAll(name)) : first;
  }

  private boolean inRange(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return false;
    }
    int i = t.charAt(0) == '+' || t.charAt(0) == '-' ? 1 : 0;
    if (i == t.length()) {
      return false;
    }
    for (int j = i; j < t.length(); j++) {
      if (t.charAt(j) < '0' || t.charAt(j) > '9') {
        return false;
      }
    }
    try {
      long x = Long.parseLong(t.charAt(0) == '+' ? t.substring(1) : t);
      return x >= start && x < end;
    } catch (NumberFormatException overflow) {
      return false;
    }
  }
}
