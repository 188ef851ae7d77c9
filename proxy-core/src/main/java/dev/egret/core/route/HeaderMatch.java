package dev.egret.core.route;

import dev.egret.core.match.StringMatch;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;

/**
 * A compiled {@code HeaderMatcher}, with Envoy's rules:
 * <ul>
 *   <li>several values of one header are joined with {@code ,} before matching;</li>
 *   <li>{@code :authority} (and {@code host}), {@code :path}, {@code :method} and {@code :scheme}
 *       read the request line values;</li>
 *   <li>no specifier means "present"; {@code exact_match: ""} matches any present value;</li>
 *   <li>a missing header never matches a value rule, inverted or not, unless
 *       {@code treat_missing_header_as_empty} makes it the empty string; {@code present_match}
 *       compares presence with its value and then applies {@code invert_match};</li>
 *   <li>{@code range_match} is {@code [start, end)} on a base-10 integer with an optional sign
 *       (surrounding ASCII whitespace tolerated, as absl's {@code SimpleAtoi}).</li>
 * </ul>
 */
final class HeaderMatch {
  enum Source { HEADER, AUTHORITY, PATH, METHOD, SCHEME }

  enum Kind { PRESENT, VALUE, RANGE }

  private final String name;
  private final Source source;
  private final Kind kind;
  private final boolean present; // PRESENT: the presence that matches
  private final StringMatch value; // VALUE; null means "any value"
  private final long rangeStart;
  private final long rangeEnd;
  private final boolean invert;
  private final boolean missingAsEmpty;

  private HeaderMatch(String name, Kind kind, boolean present, StringMatch value, long rangeStart,
      long rangeEnd, boolean invert, boolean missingAsEmpty) {
    this.name = Ascii.toLowerCase(name);
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
    this.rangeStart = rangeStart;
    this.rangeEnd = rangeEnd;
    this.invert = invert;
    this.missingAsEmpty = missingAsEmpty;
  }

  static HeaderMatch present(String name, boolean present, boolean invert) {
    return new HeaderMatch(name, Kind.PRESENT, present, null, 0, 0, invert, false);
  }

  static HeaderMatch value(String name, StringMatch value, boolean invert, boolean missingAsEmpty) {
    return new HeaderMatch(name, Kind.VALUE, true, value, 0, 0, invert, missingAsEmpty);
  }

  static HeaderMatch range(String name, long start, long end, boolean invert, boolean missingAsEmpty) {
    return new HeaderMatch(name, Kind.RANGE, true, null, start, end, invert, missingAsEmpty);
  }

  boolean matches(Request req) {
    String v = lookup(req);
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

  private String lookup(Request req) {
    String v = switch (source) {
      case AUTHORITY -> req.authority();
      case PATH -> req.path();
      case METHOD -> req.method();
      case SCHEME -> req.scheme();
      case HEADER -> null;
    };
    return v != null ? v : joined(req.headers(), name);
  }

  private static String joined(HttpHeaders headers, String name) {
    Iterator<String> it = headers.valueStringIterator(name);
    if (!it.hasNext()) {
      return null;
    }
    String v = it.next();
    if (!it.hasNext()) {
      return v;
    }
    // The iterator's order is not the arrival order; getAll's is.
    return String.join(",", headers.getAll(name));
  }

  private boolean inRange(String s) {
    int i = 0;
    int n = s.length();
    while (i < n && isSpace(s.charAt(i))) {
      i++;
    }
    while (n > i && isSpace(s.charAt(n - 1))) {
      n--;
    }
    boolean negative = false;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    if (i >= n) {
      return false;
    }
    long acc = 0; // accumulated negatively so Long.MIN_VALUE parses
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      int d = c - '0';
      if (acc < (Long.MIN_VALUE + d) / 10) {
        return false; // overflow
      }
      acc = acc * 10 - d;
    }
    if (!negative && acc == Long.MIN_VALUE) {
      return false;
    }
    long x = negative ? acc : -acc;
    return x >= rangeStart && x < rangeEnd;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }

  /** The request as the matchers see it; pseudo-header values may be null (then read from headers). */
  record Request(String scheme, String method, String authority, String path, HttpHeaders headers) {}
}
