package dev.egret.core.http;

/**
 * The HCM's path normalisation, applied before routing so that routing, policy and the upstream all
 * see the same path: {@code normalize_path} removes dot segments (RFC 3986 §5.2.4) and decodes
 * percent-encoded unreserved characters; {@code merge_slashes} collapses runs of '/'. The query is
 * kept as it is. A path that cannot be normalised safely (an encoded NUL, a bad escape, a path that is
 * not origin-form) is refused: the caller answers 400 with details {@code path_normalization_failed}.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** Returns the normalised path with its query, or null when the request must be refused. */
  public static String normalize(String pathAndQuery, boolean normalizePath, boolean mergeSlashes) {
    if (pathAndQuery == null || pathAndQuery.isEmpty()) {
      return null;
    }
    if (pathAndQuery.charAt(0) != '/') {
      return null;
    }
    int q = indexOfQueryOrFragment(pathAndQuery);
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String rest = q < 0 ? "" : pathAndQuery.substring(q);
    if (containsEncodedNul(path)) {
      return null;
    }
    if (!normalizePath && !mergeSlashes) {
      return pathAndQuery;
    }
    if (normalizePath) {
      path = decodeUnreserved(path);
      if (path == null) {
        return null;
      }
      path = removeDotSegments(path);
    }
    if (mergeSlashes) {
      path = mergeSlashes(path);
    }
    return path + rest;
  }

  private static int indexOfQueryOrFragment(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  private static boolean containsEncodedNul(String path) {
    return path.contains("%00");
  }

  /** Decodes %XX only where XX is an unreserved character; keeps every other escape, upper-cased. */
  static String decodeUnreserved(String path) {
    if (path.indexOf('%') < 0) {
      return path;
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      if (i + 2 >= path.length()) {
        return null;
      }
      int hi = Character.digit(path.charAt(i + 1), 16);
      int lo = Character.digit(path.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      char decoded = (char) (hi * 16 + lo);
      if (isUnreserved(decoded)) {
        sb.append(decoded);
      } else {
        sb.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
            .append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    return sb.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  static String removeDotSegments(String path) {
    if (path.indexOf('.') < 0) {
      return path;
    }
    String[] segments = path.split("/", -1);
    java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
    // segments[0] is "" (the path starts with '/')
    for (int i = 1; i < segments.length; i++) {
      String seg = segments[i];
      boolean last = i == segments.length - 1;
      if (seg.equals(".")) {
        if (last) {
          out.addLast("");
        }
      } else if (seg.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        }
        if (last) {
          out.addLast("");
        }
      } else {
        out.addLast(seg);
      }
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (String seg : out) {
      sb.append('/').append(seg);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  static String mergeSlashes(String path) {
    if (!path.contains("//")) {
      return path;
    }
    StringBuilder sb = new StringBuilder(path.length());
    char prev = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/' && prev == '/') {
        continue;
      }
      sb.append(c);
      prev = c;
    }
    return sb.toString();
  }
}
