package dev.egret.core.route;

import dev.egret.core.match.StringMatch;

/**
 * A compiled {@code QueryParameterMatcher}. As Envoy: the query is the text after the first
 * {@code ?}, split on {@code &}, each part split at its first {@code =} (no {@code =} gives the
 * empty value); nothing is percent-decoded; only the first parameter with the name counts.
 * {@code present_match} matches when the parameter's presence equals its value; no specifier means
 * "present"; {@code string_match} needs the parameter present and its value matching.
 */
final class QueryParamMatch {
  private final String name;
  private final Boolean present; // null unless present_match was set
  private final StringMatch value; // null: presence only

  QueryParamMatch(String name, Boolean present, StringMatch value) {
    this.name = name;
    this.present = present;
    this.value = value;
  }

  boolean matches(String pathWithQuery) {
    String v = firstValue(pathWithQuery, name);
    if (present != null) {
      return (v != null) == present;
    }
    if (v == null) {
      return false;
    }
    return value == null || value.matches(v);
  }

  /** The raw value of the first parameter called {@code name}, or null. */
  static String firstValue(String pathWithQuery, String name) {
    int q = pathWithQuery.indexOf('?');
    if (q < 0) {
      return null;
    }
    int n = pathWithQuery.length();
    int start = q + 1;
    while (start < n) {
      int end = pathWithQuery.indexOf('&', start);
      if (end < 0) {
        end = n;
      }
      int eq = pathWithQuery.indexOf('=', start);
      int keyEnd = eq >= 0 && eq < end ? eq : end;
      if (keyEnd - start == name.length() && pathWithQuery.startsWith(name, start)) {
        return keyEnd == end ? "" : pathWithQuery.substring(keyEnd + 1, end);
      }
      start = end + 1;
    }
    return null;
  }
}
