package dev.egret.core.route;

/**
 * {@code prefix_rewrite} or {@code regex_rewrite} (of a route or a redirect), applied to a request
 * target: only the path part changes, the query string (and any fragment) is kept as it was.
 * {@code prefix_rewrite} replaces the part the route matched (its prefix or path value, or the whole
 * path for a regex route); {@code regex_rewrite} replaces every match in the path part.
 */
final class PathRewrite {
  private final PathMatcher matcher;
  private final String prefix; // null unless prefix_rewrite
  private final RegexRewrite regex; // null unless regex_rewrite

  private PathRewrite(PathMatcher matcher, String prefix, RegexRewrite regex) {
    this.matcher = matcher;
    this.prefix = prefix;
    this.regex = regex;
  }

  static PathRewrite prefix(PathMatcher matcher, String prefix) {
    return new PathRewrite(matcher, prefix, null);
  }

  static PathRewrite regex(RegexRewrite regex) {
    return new PathRewrite(null, null, regex);
  }

  String apply(String pathWithQuery) {
    if (prefix != null) {
      return prefix + pathWithQuery.substring(matcher.matchedLength(pathWithQuery));
    }
    int end = Ascii.pathEnd(pathWithQuery);
    String rewritten = regex.replaceAll(pathWithQuery, 0, end);
    return end == pathWithQuery.length() ? rewritten : rewritten + pathWithQuery.substring(end);
  }
}
