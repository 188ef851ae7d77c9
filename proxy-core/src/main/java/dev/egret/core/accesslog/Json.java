package dev.egret.core.accesslog;

/** JSON text helpers for the formatter: string escaping (in place, allocation-free when clean). */
final class Json {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Appends {@code s} as a quoted JSON string. */
  static void appendString(CharSequence s, StringBuilder out) {
    int mark = out.length();
    out.append('"').append(s);
    escapeInPlace(out, mark + 1);
    out.append('"');
  }

  /**
   * Escapes the characters of {@code out} from {@code from} to its end so they form the inside of a
   * JSON string. Nothing is allocated when no character needs escaping.
   */
  static void escapeInPlace(StringBuilder out, int from) {
    int end = out.length();
    int i = from;
    while (i < end && !needsEscape(out.charAt(i))) {
      i++;
    }
    if (i == end) {
      return;
    }
    String tail = out.substring(i);
    out.setLength(i);
    for (int k = 0; k < tail.length(); k++) {
      char c = tail.charAt(k);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
  }

  /** A protobuf {@code number_value} as JSON: integral values without a fraction. */
  static String number(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e17) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
