package dev.egret.core.route;

import dev.egret.core.config.ConfigPath;

/** Checks the header names that route tables and header-mutation filters add or remove. */
public final class HeaderNames {
  private HeaderNames() {}

  /**
   * Lower-cases {@code name} after checking it is a valid HTTP token and not a header that must not
   * be mutated this way (pseudo-headers, {@code host}: use path and host rewrites); errors go to
   * {@code at}.
   */
  public static String checkMutable(String name, ConfigPath at) {
    if (name.isEmpty()) {
      at.error("header name must not be empty");
      return name;
    }
    String lower = Ascii.toLowerCase(name);
    if (lower.startsWith(":") || lower.equals("host")) {
      at.error("'" + name + "': pseudo-headers and host may not be added or removed; use the route's "
          + "rewrite options");
      return lower;
    }
    for (int i = 0; i < lower.length(); i++) {
      if (!isTokenChar(lower.charAt(i))) {
        at.error("'" + name + "' is not a valid header name (character at position " + i + ")");
        break;
      }
    }
    return lower;
  }

  private static boolean isTokenChar(char c) {
    if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
