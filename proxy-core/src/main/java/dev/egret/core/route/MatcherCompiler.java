package dev.egret.core.route;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.StringMatch;
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
    return StringMatch.regex(proto, at);
  }

  /** A compiled {@code StringMatcher}, or null after reporting at {@code at}. */
  static StringMatch string(StringMatcher proto, ConfigPath at) {
    return StringMatch.compile(proto, at);
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
          : StringMatch.of(StringMatch.Kind.EXACT, proto.getExactMatch(), false), inv, empty);
      case PREFIX_MATCH -> nonEmpty(proto.getPrefixMatch(), at.field("prefix_match")) ? HeaderMatch.value(name,
          StringMatch.of(StringMatch.Kind.PREFIX, proto.getPrefixMatch(), false), inv, empty) : null;
      case SUFFIX_MATCH -> nonEmpty(proto.getSuffixMatch(), at.field("suffix_match")) ? HeaderMatch.value(name,
          StringMatch.of(StringMatch.Kind.SUFFIX, proto.getSuffixMatch(), false), inv, empty) : null;
      case CONTAINS_MATCH -> nonEmpty(proto.getContainsMatch(), at.field("contains_match")) ? HeaderMatch.value(
          name, StringMatch.of(StringMatch.Kind.CONTAINS, proto.getContainsMatch(), false), inv, empty)
          : null;
      case SAFE_REGEX_MATCH -> {
        Pattern p = regex(proto.getSafeRegexMatch(), at.field("safe_regex_match"));
        yield p == null ? null
            : HeaderMatch.value(name, StringMatch.regex(p), inv, empty);
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
