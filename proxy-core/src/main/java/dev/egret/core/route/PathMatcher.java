package dev.egret.core.route;

import java.util.regex.Pattern;

/**
 * The path part of a {@code RouteMatch}. It sees the request path up to (not including) the first
 * {@code ?} or {@code #}.
 * <ul>
 *   <li>{@code prefix}: starts with the value;</li>
 *   <li>{@code path}: equals the value;</li>
 *   <li>{@code path_separated_prefix}: starts with the value, followed by the end of the path or
 *       {@code /} ({@code /api} matches {@code /api}, {@code /api/x}, {@code /api?q}, not
 *       {@code /apix});</li>
 *   <li>{@code safe_regex}: the whole path matches the RE2 pattern;</li>
 *   <li>{@code connect_matcher}: any CONNECT request (the path is not looked at).</li>
 * </ul>
 * A CONNECT request (which has no path) is matched only by {@code connect_matcher}, and
 * {@code connect_matcher} matches nothing else.
 * The first three fold ASCII case when {@code case_sensitive} is false; the regex never does
 * (use {@code (?i)}).
 */
final class PathMatcher {
  enum Kind { PREFIX, PATH, PATH_SEPARATED_PREFIX, REGEX, CONNECT }

  private final Kind kind;
  private final String value;
  private final boolean ignoreCase;
  private final Pattern regex;

  PathMatcher(Kind kind, String value, boolean ignoreCase, Pattern regex) {
    this.kind = kind;
    this.value = value;
    this.ignoreCase = ignoreCase;
    this.regex = regex;
  }

  /** Whether {@code path[0, end)} matches. */
  boolean matches(String path, int end) {
    return switch (kind) {
      case PREFIX -> end >= value.length() && startsWith(path);
      case PATH -> end == value.length() && startsWith(path);
      case PATH_SEPARATED_PREFIX -> end >= value.length() && startsWith(path)
          && (end == value.length() || path.charAt(value.length()) == '/');
      case REGEX -> regex.matcher(path).region(0, end).matches();
      case CONNECT -> false; // decided on the method by RouteEntry
    };
  }

  private boolean startsWith(String path) {
    return ignoreCase
        ? Ascii.regionMatchesIgnoreCase(path, 0, value, 0, value.length())
        : path.startsWith(value);
  }

  /**
   * How many leading characters of a matching path {@code prefix_rewrite} replaces: the prefix or
   * path value, or the whole path part for a regex route.
   */
  int matchedLength(String pathWithQuery) {
    int end = Ascii.pathEnd(pathWithQuery);
    return kind == Kind.REGEX ? end : Math.min(value.length(), end);
  }

  Kind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return kind + "(" + (regex != null ? regex.pattern() : value) + (ignoreCase ? ", ignore_case)" : ")");
  }
}
