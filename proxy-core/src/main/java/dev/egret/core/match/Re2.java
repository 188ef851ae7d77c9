package dev.egret.core.match;

import dev.egret.core.config.ConfigPath;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles Envoy's RE2 regular expressions with {@link java.util.regex}, once, at config time.
 *
 * <p>RE2 syntax is mostly a subset of Java's. The translation:
 * <ul>
 *   <li>rejects what RE2 rejects but Java would run: look-around, atomic groups, backreferences
 *       ({@code \1}, {@code \k<n>}, {@code (?P=n)}), possessive quantifiers, the flags Java has and
 *       RE2 lacks, and the {@code U} flag (ungreedy in RE2, Unicode classes in Java);</li>
 *   <li>turns named groups ({@code (?P<n>…)}, {@code (?<n>…)}) into plain groups — numbering is
 *       unchanged and substitutions only use numbers, and Java's stricter name rules no longer
 *       matter;</li>
 *   <li>turns POSIX classes ({@code [[:alpha:]]}) into Java's {@code \p{Alpha}}, and escapes
 *       {@code [}, {@code &} inside a class and a {@code {} that does not start a repetition,
 *       which RE2 reads as literals and Java would not.</li>
 * </ul>
 * Known remaining differences: without {@code (?m)}, Java's {@code $} also matches before a final
 * line terminator (RE2's only at the very end); Java's {@code \s} also matches {@code \x0B}.
 * Paths and header values never contain line terminators, so neither matters for routing. RE2's
 * program-size limit is not enforced; Java's engine backtracks, so a pathological pattern can be
 * slow where RE2 is linear.
 */
public final class Re2 {
  private static final Map<String, String> POSIX = Map.ofEntries(
      Map.entry("alnum", "Alnum"), Map.entry("alpha", "Alpha"), Map.entry("ascii", "ASCII"),
      Map.entry("blank", "Blank"), Map.entry("cntrl", "Cntrl"), Map.entry("digit", "Digit"),
      Map.entry("graph", "Graph"), Map.entry("lower", "Lower"), Map.entry("print", "Print"),
      Map.entry("punct", "Punct"), Map.entry("space", "Space"), Map.entry("upper", "Upper"),
      Map.entry("word", "word"), Map.entry("xdigit", "XDigit"));

  private Re2() {}

  /** The compiled pattern, or null after reporting why at {@code at}. */
  public static Pattern compile(String regex, ConfigPath at) {
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

  /** RE2 syntax to Java syntax; IllegalArgumentException for what RE2 does not accept. */
  public static String translate(String re) {
    StringBuilder out = new StringBuilder(re.length() + 8);
    int n = re.length();
    int i = 0;
    boolean inClass = false;
    while (i < n) {
      char c = re.charAt(i);
      if (c == '\\') {
        i = escape(re, i, inClass, out);
        continue;
      }
      if (inClass) {
        if (c == ']') {
          inClass = false;
          out.append(c);
          i++;
        } else if (c == '[' && re.startsWith("[:", i)) {
          int close = re.indexOf(":]", i + 2);
          if (close < 0) {
            throw new IllegalArgumentException("unterminated POSIX class");
          }
          String name = re.substring(i + 2, close);
          boolean negated = name.startsWith("^");
          String java = POSIX.get(negated ? name.substring(1) : name);
          if (java == null) {
            throw new IllegalArgumentException("unknown POSIX class [:" + name + ":]");
          }
          if (java.equals("word")) { // [0-9A-Za-z_]
            out.append(negated ? "\\W" : "\\w");
          } else {
            out.append(negated ? "\\P{" : "\\p{").append(java).append('}');
          }
          i = close + 2;
        } else if (c == '[' || c == '&') {
          out.append('\\').append(c);
          i++;
        } else {
          out.append(c);
          i++;
        }
        continue;
      }
      switch (c) {
        case '[' -> {
          inClass = true;
          out.append('[');
          i++;
          if (i < n && re.charAt(i) == '^') {
            out.append('^');
            i++;
          }
          if (i < n && re.charAt(i) == ']') { // a leading ']' is a literal
            out.append("\\]");
            i++;
          }
        }
        case '(' -> i = group(re, i, out);
        case '{' -> {
          int end = repetitionEnd(re, i);
          if (end < 0) {
            out.append("\\{"); // RE2 reads a '{' that starts no repetition as a literal
            i++;
          } else {
            out.append(re, i, end);
            i = end;
            checkNotPossessive(re, i);
          }
        }
        case '*', '+', '?' -> {
          out.append(c);
          i++;
          checkNotPossessive(re, i);
        }
        default -> {
          out.append(c);
          i++;
        }
      }
    }
    if (inClass) {
      throw new IllegalArgumentException("missing closing ]");
    }
    return out.toString();
  }

  private static int escape(String re, int i, boolean inClass, StringBuilder out) {
    if (i + 1 >= re.length()) {
      throw new IllegalArgumentException("trailing \\");
    }
    char d = re.charAt(i + 1);
    if (d >= '1' && d <= '9' && !inClass) {
      throw new IllegalArgumentException("backreferences are not supported (RE2)");
    }
    if ("kGZRXhHVe".indexOf(d) >= 0) {
      throw new IllegalArgumentException("escape \\" + d + " is not supported (RE2)");
    }
    if (d == 'Q') {
      int end = re.indexOf("\\E", i + 2);
      int stop = end < 0 ? re.length() : end + 2;
      out.append(re, i, stop);
      return stop;
    }
    if (d == 'v') { // RE2: the vertical tab; Java: any vertical whitespace
      out.append("\\x0B");
      return i + 2;
    }
    out.append('\\').append(d);
    return i + 2;
  }

  private static int group(String re, int i, StringBuilder out) {
    if (!re.startsWith("(?", i)) {
      out.append('(');
      return i + 1;
    }
    if (re.startsWith("(?=", i) || re.startsWith("(?!", i) || re.startsWith("(?<=", i)
        || re.startsWith("(?<!", i)) {
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
      return close + 1;
    }
    // flags: (?flags) or (?flags:...)
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
    return j + 1;
  }

  /** End (exclusive) of a {n}, {n,} or {n,m} repetition starting at i, or -1 when it is none. */
  private static int repetitionEnd(String re, int i) {
    int j = i + 1;
    int digits = 0;
    while (j < re.length() && Character.isDigit(re.charAt(j)) && re.charAt(j) < 128) {
      j++;
      digits++;
    }
    if (digits == 0 || j >= re.length()) {
      return -1;
    }
    if (re.charAt(j) == ',') {
      j++;
      while (j < re.length() && re.charAt(j) >= '0' && re.charAt(j) <= '9') {
        j++;
      }
    }
    return j < re.length() && re.charAt(j) == '}' ? j + 1 : -1;
  }

  private static void checkNotPossessive(String re, int i) {
    if (i < re.length() && re.charAt(i) == '?') {
      i++; // lazy quantifier, fine in both
    }
    if (i < re.length() && re.charAt(i) == '+') {
      throw new IllegalArgumentException("possessive quantifiers are not supported (RE2)");
    }
  }
}
