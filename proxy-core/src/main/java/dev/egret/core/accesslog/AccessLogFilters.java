package dev.egret.core.accesslog;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.stream.ResponseFlag;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter.FilterSpecifierCase;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles {@code envoy.config.accesslog.v3.AccessLogFilter} into an {@link AccessLogFilter}.
 *
 * <p>Supported: {@code status_code_filter} and {@code duration_filter} (a {@code ComparisonFilter};
 * Egret has no runtime, so {@code runtime_key} is accepted and the {@code default_value} is always
 * used), {@code response_flag_filter} (short flag names; none = any flag),
 * {@code not_health_check_filter} (always true: Egret has no health-check filter, so no request is a
 * health check), {@code and_filter} / {@code or_filter} (at least two sub-filters, nested freely) and
 * {@code header_filter} with {@code exact_match}, {@code prefix_match}, {@code suffix_match},
 * {@code contains_match}, {@code present_match}, {@code string_match} (exact, prefix, suffix,
 * contains, {@code ignore_case}), {@code invert_match} and {@code treat_missing_header_as_empty} on a
 * request header, {@code :authority}, {@code :path} or {@code :method}. Everything else (regex and
 * range header matches, {@code grpc_status_filter}, {@code runtime_filter},
 * {@code traceable_filter}, {@code metadata_filter}, {@code log_type_filter},
 * {@code extension_filter}) is an error at its field path.
 */
public final class AccessLogFilters {
  private AccessLogFilters() {}

  /** The compiled filter, or null after reporting errors at {@code at} (the {@code filter} field). */
  public static AccessLogFilter compile(io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter proto,
      ConfigPath at) {
    int errors = at.errorCount();
    AccessLogFilter f = compileOne(proto, at);
    return at.errorCount() > errors ? null : f;
  }

  private static AccessLogFilter compileOne(
      io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter proto, ConfigPath at) {
    FilterSpecifierCase c = proto.getFilterSpecifierCase();
    return switch (c) {
      case STATUS_CODE_FILTER -> {
        ConfigPath p = at.field("status_code_filter");
        Fields.allowOnly(proto.getStatusCodeFilter(), p, Set.of("comparison"));
        yield comparison(proto.getStatusCodeFilter().hasComparison(),
            proto.getStatusCodeFilter().getComparison(), p.field("comparison"), false);
      }
      case DURATION_FILTER -> {
        ConfigPath p = at.field("duration_filter");
        Fields.allowOnly(proto.getDurationFilter(), p, Set.of("comparison"));
        yield comparison(proto.getDurationFilter().hasComparison(),
            proto.getDurationFilter().getComparison(), p.field("comparison"), true);
      }
      case RESPONSE_FLAG_FILTER -> {
        ConfigPath p = at.field("response_flag_filter");
        Fields.allowOnly(proto.getResponseFlagFilter(), p, Set.of("flags"));
        Set<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
        List<String> names = proto.getResponseFlagFilter().getFlagsList();
        for (int i = 0; i < names.size(); i++) {
          ResponseFlag flag = ResponseFlag.ofShortName(names.get(i));
          if (flag == null) {
            p.field("flags").index(i).error("unknown response flag '" + names.get(i) + "'");
          } else {
            flags.add(flag);
          }
        }
        yield new AccessLogFilter.ResponseFlags(flags);
      }
      case NOT_HEALTH_CHECK_FILTER -> {
        Fields.allowOnly(proto.getNotHealthCheckFilter(), at.field("not_health_check_filter"),
            Set.of());
        yield new AccessLogFilter.NotHealthCheck();
      }
      case AND_FILTER -> {
        ConfigPath p = at.field("and_filter");
        Fields.allowOnly(proto.getAndFilter(), p, Set.of("filters"));
        yield new AccessLogFilter.And(list(proto.getAndFilter().getFiltersList(), p));
      }
      case OR_FILTER -> {
        ConfigPath p = at.field("or_filter");
        Fields.allowOnly(proto.getOrFilter(), p, Set.of("filters"));
        yield new AccessLogFilter.Or(list(proto.getOrFilter().getFiltersList(), p));
      }
      case HEADER_FILTER -> {
        ConfigPath p = at.field("header_filter");
        Fields.allowOnly(proto.getHeaderFilter(), p, Set.of("header"));
        if (!proto.getHeaderFilter().hasHeader()) {
          p.field("header").error("header_filter needs a header");
          yield null;
        }
        yield header(proto.getHeaderFilter().getHeader(), p.field("header"));
      }
      case FILTERSPECIFIER_NOT_SET -> {
        at.error("access log filter sets no filter");
        yield null;
      }
      default -> {
        String field = proto.getDescriptorForType().findFieldByNumber(c.getNumber()).getName();
        at.field(field).error("access log filter '" + field + "' is not supported by Egret "
            + "(supported: status_code_filter, duration_filter, response_flag_filter, "
            + "not_health_check_filter, and_filter, or_filter, header_filter)");
        yield null;
      }
    };
  }

  private static List<AccessLogFilter> list(
      List<io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter> protos, ConfigPath at) {
    ConfigPath filters = at.field("filters");
    if (protos.size() < 2) {
      filters.error("needs at least 2 filters, has " + protos.size());
    }
    List<AccessLogFilter> out = new ArrayList<>(protos.size());
    for (int i = 0; i < protos.size(); i++) {
      AccessLogFilter f = compileOne(protos.get(i), filters.index(i));
      if (f != null) {
        out.add(f);
      }
    }
    return out;
  }

  private static AccessLogFilter comparison(boolean present, ComparisonFilter c, ConfigPath at,
      boolean duration) {
    if (!present) {
      at.error("comparison is required");
      return null;
    }
    Fields.allowOnly(c, at, Set.of("op", "value"));
    if (!c.hasValue()) {
      at.field("value").error("comparison value is required");
      return null;
    }
    // runtime_key is accepted but Egret has no runtime: the default value always applies.
    Fields.allowOnly(c.getValue(), at.field("value"), Set.of("default_value", "runtime_key"));
    AccessLogFilter.Op op = switch (c.getOp()) {
      case EQ -> AccessLogFilter.Op.EQ;
      case GE -> AccessLogFilter.Op.GE;
      case LE -> AccessLogFilter.Op.LE;
      default -> {
        at.field("op").error("unknown comparison op " + c.getOpValue());
        yield null;
      }
    };
    if (op == null) {
      return null;
    }
    long value = Integer.toUnsignedLong(c.getValue().getDefaultValue());
    return duration ? new AccessLogFilter.Duration(op, value)
        : new AccessLogFilter.StatusCode(op, value);
  }

  private static AccessLogFilter header(HeaderMatcher h, ConfigPath at) {
    Fields.allowOnly(h, at, Set.of("name", "exact_match", "prefix_match", "suffix_match",
        "contains_match", "present_match", "string_match", "invert_match",
        "treat_missing_header_as_empty"));
    String name = h.getName();
    if (name.isEmpty()) {
      at.field("name").error("header name must not be empty");
      return null;
    }
    if (name.startsWith(":") && !Set.of(":authority", ":path", ":method").contains(name)) {
      at.field("name").error("header_filter on '" + name + "' is not supported by Egret "
          + "(pseudo-headers: :authority, :path, :method)");
      return null;
    }
    boolean inv = h.getInvertMatch();
    boolean empty = h.getTreatMissingHeaderAsEmpty();
    return switch (h.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> h.getExactMatch().isEmpty()
          ? new HeaderFilter(name, HeaderFilter.Kind.ANY, null, false, true, inv, empty)
          : new HeaderFilter(name, HeaderFilter.Kind.EXACT, h.getExactMatch(), false, true, inv, empty);
      case PREFIX_MATCH -> nonEmpty(h.getPrefixMatch(), at.field("prefix_match"))
          ? new HeaderFilter(name, HeaderFilter.Kind.PREFIX, h.getPrefixMatch(), false, true, inv, empty)
          : null;
      case SUFFIX_MATCH -> nonEmpty(h.getSuffixMatch(), at.field("suffix_match"))
          ? new HeaderFilter(name, HeaderFilter.Kind.SUFFIX, h.getSuffixMatch(), false, true, inv, empty)
          : null;
      case CONTAINS_MATCH -> nonEmpty(h.getContainsMatch(), at.field("contains_match"))
          ? new HeaderFilter(name, HeaderFilter.Kind.CONTAINS, h.getContainsMatch(), false, true, inv,
              empty)
          : null;
      case STRING_MATCH -> stringMatch(name, h.getStringMatch(), at.field("string_match"), inv, empty);
      case PRESENT_MATCH ->
          new HeaderFilter(name, HeaderFilter.Kind.PRESENT, null, false, h.getPresentMatch(), inv, false);
      case HEADERMATCHSPECIFIER_NOT_SET ->
          new HeaderFilter(name, HeaderFilter.Kind.PRESENT, null, false, true, inv, false);
      default -> null; // safe_regex_match, range_match: reported by allowOnly
    };
  }

  private static AccessLogFilter stringMatch(String name, StringMatcher s, ConfigPath at,
      boolean inv, boolean empty) {
    Fields.allowOnly(s, at, Set.of("exact", "prefix", "suffix", "contains", "ignore_case"));
    boolean ic = s.getIgnoreCase();
    return switch (s.getMatchPatternCase()) {
      case EXACT -> new HeaderFilter(name, HeaderFilter.Kind.EXACT, s.getExact(), ic, true, inv, empty);
      case PREFIX -> nonEmpty(s.getPrefix(), at.field("prefix"))
          ? new HeaderFilter(name, HeaderFilter.Kind.PREFIX, s.getPrefix(), ic, true, inv, empty) : null;
      case SUFFIX -> nonEmpty(s.getSuffix(), at.field("suffix"))
          ? new HeaderFilter(name, HeaderFilter.Kind.SUFFIX, s.getSuffix(), ic, true, inv, empty) : null;
      case CONTAINS -> nonEmpty(s.getContains(), at.field("contains"))
          ? new HeaderFilter(name, HeaderFilter.Kind.CONTAINS, s.getContains(), ic, true, inv, empty)
          : null;
      case MATCHPATTERN_NOT_SET -> {
        at.error("string_match needs one of exact, prefix, suffix, contains");
        yield null;
      }
      default -> null; // safe_regex, custom: reported by allowOnly
    };
  }

  private static boolean nonEmpty(String value, ConfigPath at) {
    if (value.isEmpty()) {
      at.error("must not be empty");
      return false;
    }
    return true;
  }
}
