package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Locale;

/**
 * {@code header_filter}: a {@code HeaderMatcher} on the request headers, with Envoy's rules for the
 * subset Egret supports (see {@link AccessLogFilters}):
 * <ul>
 *   <li>several values of one header are joined with {@code ,} before matching;</li>
 *   <li>{@code :authority} (and {@code host}), {@code :path} and {@code :method} read the request
 *       line values;</li>
 *   <li>no specifier means "present"; {@code exact_match: ""} matches any present value;</li>
 *   <li>a missing header never matches a value rule, inverted or not, unless
 *       {@code treat_missing_header_as_empty} makes it the empty string; {@code present_match}
 *       compares presence with its value and then applies {@code invert_match}.</li>
 * </ul>
 * A stream with no decoded request has no headers at all.
 */
public record HeaderFilter(String name, Kind kind, String value, boolean ignoreCase,
    boolean present, boolean invert, boolean missingAsEmpty) implements AccessLogFilter {

  /** How the value is compared. {@code ANY}: any present value; {@code PRESENT}: presence only. */
  public enum Kind { PRESENT, ANY, EXACT, PREFIX, SUFFIX, CONTAINS }

  public HeaderFilter {
    name = requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    requireNonNull(kind, "kind");
    if (kind != Kind.PRESENT && kind != Kind.ANY) {
      requireNonNull(value, "value");
      if (ignoreCase) {
        value = value.toLowerCase(Locale.ROOT);
      }
    }
  }

  @Override
  public boolean test(StreamInfo info) {
    String v = lookup(info.request());
    if (kind == Kind.PRESENT) {
      return ((v != null) == present) != invert;
    }
    if (v == null) {
      if (!missingAsEmpty) {
        return false;
      }
      v = "";
    }
    return matches(v) != invert;
  }

  private boolean matches(String v) {
    if (kind == Kind.ANY) {
      return true;
    }
    String s = ignoreCase ? v.toLowerCase(Locale.ROOT) : v;
    return switch (kind) {
      case EXACT -> s.equals(value);
      case PREFIX -> s.startsWith(value);
      case SUFFIX -> s.endsWith(value);
      case CONTAINS -> s.contains(value);
      default -> true;
    };
  }

  private String lookup(HttpRequest r) {
    if (r == null) {
      return null;
    }
    switch (name) {
      case ":path":
        return r.uri();
      case ":method":
        return r.method().name();
      case ":authority":
        return joined(r.headers(), "host");
      default:
        return joined(r.headers(), name);
    }
  }

  private static String joined(HttpHeaders headers, String name) {
    List<String> all = headers.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(",", all);
  }
}
