package dev.egret.core.accesslog;

import dev.egret.core.config.ConfigPath;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a format string into literals and commands and asks the {@link CommandParser}s for each
 * command. Grammar (Envoy's): {@code %%} is a literal {@code %}; otherwise {@code %NAME%},
 * {@code %NAME(arg)%} or either followed by {@code :N} before the closing {@code %}, where NAME is
 * {@code [A-Z0-9_]+} and arg contains no {@code )}. Anything else after a {@code %} is an error.
 */
final class FormatParser {
  private FormatParser() {}

  /**
   * @return the segments in order (adjacent literals merged), or null when an error was reported
   */
  static List<FormatOperator> parse(String format, List<CommandParser> parsers, ConfigPath at) {
    List<FormatOperator> out = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int errors = at.errorCount();
    int i = 0;
    int n = format.length();
    while (i < n) {
      char c = format.charAt(i);
      if (c != '%') {
        literal.append(c);
        i++;
        continue;
      }
      if (i + 1 < n && format.charAt(i + 1) == '%') {
        literal.append('%');
        i += 2;
        continue;
      }
      int end = parseCommand(format, i, parsers, out, literal, at);
      if (end < 0) {
        return null; // syntax error: the rest of the string cannot be tokenised reliably
      }
      i = end;
    }
    flush(literal, out);
    return at.errorCount() > errors ? null : out;
  }

  /** Parses the command starting at {@code start} (a '%'); returns the index after it, -1 on error. */
  private static int parseCommand(String f, int start, List<CommandParser> parsers,
      List<FormatOperator> out, StringBuilder literal, ConfigPath at) {
    int n = f.length();
    int i = start + 1;
    while (i < n && isNameChar(f.charAt(i))) {
      i++;
    }
    String name = f.substring(start + 1, i);
    String argument = null;
    int maxLength = -1;
    if (!name.isEmpty() && i < n && f.charAt(i) == '(') {
      int close = f.indexOf(')', i + 1);
      if (close < 0) {
        at.error("access log format: missing ')' in command starting at position " + start + ": "
            + quote(f));
        return -1;
      }
      argument = f.substring(i + 1, close);
      i = close + 1;
    }
    if (!name.isEmpty() && i < n && f.charAt(i) == ':') {
      int digits = i + 1;
      long len = 0;
      while (digits < n && Character.isDigit(f.charAt(digits)) && len <= Integer.MAX_VALUE) {
        len = len * 10 + (f.charAt(digits) - '0');
        digits++;
      }
      if (digits == i + 1 || len > Integer.MAX_VALUE) {
        at.error("access log format: invalid length after ':' at position " + i + ": " + quote(f));
        return -1;
      }
      maxLength = (int) len;
      i = digits;
    }
    if (name.isEmpty() || i >= n || f.charAt(i) != '%') {
      at.error("access log format: no valid command at position " + start
          + " (expected %NAME%, %NAME(arg)% or %NAME(arg):N%; write %% for a literal %): "
          + quote(f));
      return -1;
    }
    String token = f.substring(start, i + 1);
    FormatOperator op = null;
    for (CommandParser p : parsers) {
      op = p.parse(name, argument, maxLength, at);
      if (op != null) {
        break;
      }
    }
    if (op == null) {
      at.error("access log format: unsupported command " + token);
    } else {
      flush(literal, out);
      out.add(op);
    }
    return i + 1;
  }

  private static void flush(StringBuilder literal, List<FormatOperator> out) {
    if (literal.length() > 0) {
      out.add(new Literal(literal.toString()));
      literal.setLength(0);
    }
  }

  private static boolean isNameChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  private static String quote(String f) {
    StringBuilder sb = new StringBuilder();
    Json.appendString(f.length() > 200 ? f.substring(0, 200) + "..." : f, sb);
    return sb.toString();
  }
}
