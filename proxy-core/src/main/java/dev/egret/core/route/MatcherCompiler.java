package dev.egret.core.route;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.Re2;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import com.google.protobuf.MessageOrBuilder;
import java.util.Set;
import java.util.regex.Pattern;

/** Compiles the matcher messages of a route: strings, regexes, headers, query parameters. */
final class MatcherCompiler {
  private MatcherCompiler() {}

  static boolean allowOnly(MessageOrBuilder message, ConfigPath at, Set<String> supported) {
    return Fields.allowOnly(message, at, supported);
  }

  /** A compiled {@code RegexMatcher}, or null after reporting at {@code at}. */
  static Pattern regex(RegexMatcher proto, ConfigPath at) {
    allowOnly(proto, at, Set.of("regex", "google_re2"));
    if (proto.hasGoogleRe2()) {
      allowOnly(proto.getGoogleRe2(), at.field("google_re2"), Set.of());
    }
    return Re2.compile(proto.getRegex(), at.field("regex"));
  }

  /** A compiled {@code StringMatcher}, or null after reporting at {@code at}. */
  static StringMatch string(StringMatcher proto, ConfigPath at) {
    allowOnly(proto, at, Set.of("exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"));
    boolean ic = proto.getIgnoreCase();
    return switch (proto.getMatchPatternCase()) {
      case EXACT -> new StringMatch(StringMatch.Kind.EXACT, proto.getExact(), ic, null);
      case PREFIX -> nonEmpty(proto.getPrefix(), at.field("prefix"))
          ? new StringMatch(StringMatch.Kind.PREFIX, proto.getPrefix(), ic, null) : null;
      case SUFFIX -> nonEmpty(proto.getSuffix(), at.field("suffix"))
          ? new StringMatch(StringMatch.Kind.SUFFIX, proto.getSuffix(), ic, null) : null;
      case CONTAINS -> nonEmpty(proto.getContains(), at.field("contains"))
          ? new StringMatch(StringMatch.Kind.CONTAINS, proto.getContains(), ic, null) : null;
      case SAFE_REGEX -> {
        if (ic) {
          at.field("ignore_case").error("ignore_case has no effect for safe_regex; use (?i) in the regex");
          yield null;
        }
        Pattern p = regex(proto.getSafeRegex(), at.field("safe_regex"));
        yield p == null ? null : new StringMatch(StringMatch.Kind.REGEX, null, false, p);
      }
      default -> {
        if (proto.getMatchPatternCase() == StringMatcher.MatchPatternCase.MATCHPATTERN_NOT_SET) {
          at.error("string matcher needs one of exact, prefix, suffix, contains, safe_regex");
        }
        yield null; // CUSTOM was reported by allowOnly
      }
    };
  }

  /** A compiled {@code HeaderMatcher}, or null after reporting at {@code at}. */
  static HeaderMatch header(HeaderMatcher proto, ConfigPath at) {
    allowOnly(proto, at, Set.of("name", "exact_match", "prefix_match", "suffix_match", "contains_match",
        "safe_regex_match", "present_match", "range_match", "string_match", "invert_match",
        "treat_missing_header_as_empty"));
    String name = proto.getName();
    if (name.isEmpty()) {
      at.field("name").error("header name must not be empty");
      return null;
    }
    boolean inv = proto.getInvertMatch();
    boolean empty = proto.getTreatMissingHeaderAsEmpty();
    return switch (proto.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> HeaderMatch.value(name, proto.getExactMatch().isEmpty() ? null
          : new StringMatch(StringMatch.Kind.EXACT, proto.getExactMatch(), false, null), inv, empty);
      case PREFIX_MATCH -> nonEmpty(proto.getPrefixMatch(), at.field("prefix_match")) ? HeaderMatch.value(name,
          new StringMatch(StringMatch.Kind.PREFIX, proto.getPrefixMatch(), false, null), inv, empty) : null;
      case SUFFIX_MATCH -> nonEmpty(proto.getSuffixMatch(), at.field("suffix_match")) ? HeaderMatch.value(name,
          new StringMatch(StringMatch.Kind.SUFFIX, proto.getSuffixMatch(), false, null), inv, empty) : null;
      case CONTAINS_MATCH -> nonEmpty(proto.getContainsMatch(), at.field("contains_match")) ? HeaderMatch.value(
          name, new StringMatch(StringMatch.Kind.CONTAINS, proto.getContainsMatch(), false, null), inv, empty)
          : null;
      case SAFE_REGEX_MATCH -> {
        Pattern p = regex(proto.getSafeRegexMatch(), at.field("safe_regex_match"));
        yield p == null ? null
            : HeaderMatch.value(name, new StringMatch(StringMatch.Kind.REGEX, null, false, p), inv, empty);
      }
      case STRING_MATCH -> {
        StringMatch s = string(proto.getStringMatch(), at.field("string_match"));
        yield s == null ? null : HeaderMatch.value(name, s, inv, empty);
      }
      case RANGE_MATCH -> {
        allowOnly(proto.getRangeMatch(), at.field("range_match"), Set.of("start", "end"));
        yield HeaderMatch.range(name, proto.getRangeMatch().getStart(), proto.getRangeMatch().getEnd(), inv, empty);
      }
      case PRESENT_MATCH -> HeaderMatch.present(name, proto.getPresentMatch(), inv);
      case HEADERMATCHSPECIFIER_NOT_SET -> HeaderMatch.present(name, true, inv);
    };
  }

  /** A compiled {@code QueryParameterMatcher}, or null after reporting at {@code at}. */
  static QueryParamMatch query(QueryParameterMatcher proto, ConfigPath at) {
    allowOnly(proto, at, Set.of("name", "string_match", "present_match"));
    if (proto.getName().isEmpty()) {
      at.field("name").error("query parameter name must not be empty");
      return null;
    }
    return switch (proto.getQueryParameterMatchSpecifierCase()) {
      case STRING_MATCH -> {
        StringMatch s = string(proto.getStringMatch(), at.field("string_match"));
        yield s == null ? null : new QueryParamMatch(proto.getName(), null, s);
      }
      case PRESENT_MATCH -> new QueryParamMatch(proto.getName(), proto.getPresentMatch(), null);
      case QUERYPARAMETERMATCHSPECIFIER_NOT_SET -> new QueryParamMatch(proto.getName(), null, null);
    };
  }

  static boolean nonEmpty(String value, ConfigPath at) {
    if (value.isEmpty()) {
      at.error("must not be empty");
      return false;
    }
    return true;
  }
}
