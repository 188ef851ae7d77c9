package dev.egret.core.route;

/**
 * ASCII-only case handling, as Envoy does it for hosts, paths and header values: only {@code A-Z}
 * and {@code a-z} fold, every other character compares exactly. (Java's {@code equalsIgnoreCase}
 * folds non-ASCII letters too, which Envoy does not.)
 */
final class Ascii {
  private Ascii() {}

  static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** {@code s} lowercased; the same instance when it holds no upper-case ASCII letter. */
  static String toLowerCase(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] out = s.toCharArray();
        for (int j = i; j < n; j++) {
          out[j] = lower(out[j]);
        }
        return new String(out);
      }
    }
    return s;
  }

  /** Compares {@code len} chars of {@code a} at {@code aOff} with {@code b} at {@code bOff}, folding ASCII case. */
  static boolean regionMatchesIgnoreCase(String a, int aOff, String b, int bOff, int len) {
    if (aOff < 0 || bOff < 0 || aOff + len > a.length() || bOff + len > b.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      char x = a.charAt(aOff + i);
      char y = b.charAt(bOff + i);
      if (x != y && lower(x) != lower(y)) {
        return false;
      }
    }
    return true;
  }

  static boolean equalsIgnoreCase(String a, String b) {
    return a.length() == b.length() && regionMatchesIgnoreCase(a, 0, b, 0, a.length());
  }

  /** Whether {@code hay} contains {@code lowerNeedle} (already lowercased), folding ASCII case in {@code hay}. */
  static boolean containsIgnoreCase(String hay, String lowerNeedle) {
    int last = hay.length() - lowerNeedle.length();
    for (int i = 0; i <= last; i++) {
      if (regionMatchesIgnoreCase(hay, i, lowerNeedle, 0, lowerNeedle.length())) {
        return true;
      }
    }
    return false;
  }

  /** End of the path part of a request target: the first '?' or '#', else its length. */
  static int pathEnd(String pathWithQuery) {
    int n = pathWithQuery.length();
    for (int i = 0; i < n; i++) {
      char c = pathWithQuery.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return n;
  }

  /**
   * Where the port of an authority starts (the ':' before it), or -1. A ':' inside an IPv6 literal
   * ({@code [::1]}) is not a port separator.
   */
  static int portStart(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0) {
      return -1;
    }
    int v6End = authority.lastIndexOf(']');
    return v6End < 0 || v6End < colon ? colon : -1;
  }
}
