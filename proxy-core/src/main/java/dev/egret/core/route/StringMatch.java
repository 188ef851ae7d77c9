package dev.egret.core.route;

import java.util.regex.Pattern;

/**
 * A compiled {@code envoy.type.matcher.v3.StringMatcher}: exact, prefix, suffix, contains (each
 * optionally ignoring ASCII case) or a full-string RE2 match.
 */
final class StringMatch {
  enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX }

  private final Kind kind;
  private final String value; // lowercased when ignoreCase
  private final boolean ignoreCase;
  private final Pattern regex;

  StringMatch(Kind kind, String value, boolean ignoreCase, Pattern regex) {
    this.kind = kind;
    this.ignoreCase = ignoreCase;
    this.value = value == null ? null : ignoreCase ? Ascii.toLowerCase(value) : value;
    this.regex = regex;
  }

  boolean matches(String s) {
    return switch (kind) {
      case EXACT -> ignoreCase ? Ascii.equalsIgnoreCase(s, value) : s.equals(value);
      case PREFIX -> ignoreCase ? Ascii.regionMatchesIgnoreCase(s, 0, value, 0, value.length()) : s.startsWith(value);
      case SUFFIX -> ignoreCase
          ? Ascii.regionMatchesIgnoreCase(s, s.length() - value.length(), value, 0, value.length())
          : s.endsWith(value);
      case CONTAINS -> ignoreCase ? Ascii.containsIgnoreCase(s, value) : s.contains(value);
      case REGEX -> regex.matcher(s).matches();
    };
  }

  @Override
  public String toString() {
    return kind + (ignoreCase ? "(ignore_case " : "(") + (regex != null ? regex.pattern() : value) + ")";
  }
}
