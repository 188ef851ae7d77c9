package dev.egret.filters.rbac;

import dev.egret.core.config.ConfigPath;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles Envoy {@code safe_regex} patterns (RE2 syntax) with {@link java.util.regex}, once, at
 * config time, refusing the constructs RE2 refuses and Java would run with backtracking:
 * look-around, atomic groups, backreferences, possessive quantifiers and flags other than
 * {@code i m s}. Named groups {@code (?P<n>…)} become plain groups. Policies match whole strings.
 *
 * <p>Known differences left: Java's engine backtracks (a pathological pattern can be slow where RE2
 * is linear), and {@code $} also matches before a final line terminator. proxy-core's route package
 * has a fuller translator (POSIX classes, literal braces) that is package-private; see the report.
 */
final class Re2 {
  private Re2() {}

  /** The compiled pattern, or null after reporting why at {@code at}. */
  static Pattern compile(String regex, ConfigPath at) {
    if (regex.isEmpty()) {
      at.error("regex must not be empty");
      return null;
    }
    try {
      return Pattern.compile(translate(regex));
    } catch (IllegalArgumentException e) {
      String why = e instanceof PatternSyntaxException p ? p.getDescription() : e.getMessage();
      at.error("invalid regex '" + regex + "': " + why);
      return null;
    }
  }

  static String translate(String re) {
    StringBuilder out = new StringBuilder(re.length());
    boolean inClass = false;
    int n = re.length();
    for (int i = 0; i < n; i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 >= n) {
          throw new IllegalArgumentException("trailing \\");
        }
        char d = re.charAt(i + 1);
        if (!inClass && d >= '1' && d <= '9') {
          throw new IllegalArgumentException("backreferences are not supported (RE2)");
        }
        if ("kGZRXhHVe".indexOf(d) >= 0) {
          throw new IllegalArgumentException("escape \\" + d + " is not supported (RE2)");
        }
        out.append(c).append(d);
        i++;
        continue;
      }
      if (inClass) {
        if (c == ']') {
          inClass = false;
        } else if (c == '[' || c == '&') {
          out.append('\\'); // literal in RE2, class syntax in Java
        }
        out.append(c);
        continue;
      }
      switch (c) {
        case '[' -> {
          inClass = true;
          out.append(c);
          if (i + 1 < n && re.charAt(i + 1) == '^') {
            out.append('^');
            i++;
          }
          if (i + 1 < n && re.charAt(i + 1) == ']') {
            out.append("\\]");
            i++;
          }
        }
        case '(' -> i = group(re, i, out);
        case '*', '+', '?', '}' -> {
          out.append(c);
          int j = i + 1;
          if (j < n && re.charAt(j) == '?') {
            j++;
          }
          if (j < n && re.charAt(j) == '+') {
            throw new IllegalArgumentException("possessive quantifiers are not supported (RE2)");
          }
        }
        default -> out.append(c);
      }
    }
    if (inClass) {
      throw new IllegalArgumentException("missing closing ]");
    }
    return out.toString();
  }

  /** Copies the group opening at {@code i}; returns the index of its last consumed character. */
  private static int group(String re, int i, StringBuilder out) {
    if (!re.startsWith("(?", i)) {
      out.append('(');
      return i;
    }
    if (re.startsWith("(?=", i) || re.startsWith("(?!", i) || re.startsWith("(?<=", i) || re.startsWith("(?<!", i)) {
      throw new IllegalArgumentException("look-around is not supported (RE2)");
    }
    if (re.startsWith("(?>", i)) {
      throw new IllegalArgumentException("atomic groups are not supported (RE2)");
    }
    if (re.startsWith("(?P=", i) || re.startsWith("(?P>", i)) {
      throw new IllegalArgumentException("backreferences are not supported (RE2)");
    }
    if (re.startsWith("(?P<", i) || re.startsWith("(?<", i)) {
      int close = re.indexOf('>', i);
      if (close < 0) {
        throw new IllegalArgumentException("unterminated group name");
      }
      out.append('(');
      return close;
    }
    int j = i + 2;
    while (j < re.length() && re.charAt(j) != ')' && re.charAt(j) != ':') {
      char f = re.charAt(j);
      if (f != 'i' && f != 'm' && f != 's' && f != '-') {
        throw new IllegalArgumentException("flag '" + f + "' is not supported (RE2 allows i, m, s)");
      }
      j++;
    }
    if (j >= re.length()) {
      throw new IllegalArgumentException("missing closing )");
    }
    out.append(re, i, j + 1);
    return j;
  }
}
