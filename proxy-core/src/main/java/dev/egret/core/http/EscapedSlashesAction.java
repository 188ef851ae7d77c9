package dev.egret.core.http;

/**
 * The connection manager's {@code path_with_escaped_slashes_action}: what happens to a path holding
 * {@code %2F}, {@code %2f}, {@code %5C} or {@code %5c} (an escaped '/' or '\'). It is applied before
 * {@code normalize_path} and {@code merge_slashes}, so that routing, RBAC and the upstream see the
 * same path (hardening.md §5). Only the path is looked at; the query is left as it is.
 */
public enum EscapedSlashesAction {
  /** The default: the escapes stay as they are. */
  KEEP_UNCHANGED,
  /** A path with an escaped slash is refused: 400, details {@code path_normalization_failed}. */
  REJECT_REQUEST,
  /**
   * The escapes are decoded and the client is sent to the result: 307 with {@code location} set to
   * the normalised path.
   */
  UNESCAPE_AND_REDIRECT,
  /** The escapes are decoded and the request goes on with the decoded path. */
  UNESCAPE_AND_FORWARD;

  /**
   * Decodes {@code %2F %2f %5C %5c} in the path part of {@code pathAndQuery}; returns the same
   * instance when there are none.
   */
  public static String unescapeSlashes(String pathAndQuery) {
    int end = pathAndQuery.length();
    for (int i = 0; i < pathAndQuery.length(); i++) {
      char c = pathAndQuery.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    StringBuilder sb = null;
    int copied = 0;
    for (int i = 0; i + 2 < end; i++) {
      if (pathAndQuery.charAt(i) != '%') {
        continue;
      }
      char hi = pathAndQuery.charAt(i + 1);
      char lo = Character.toUpperCase(pathAndQuery.charAt(i + 2));
      char decoded = hi == '2' && lo == 'F' ? '/' : hi == '5' && lo == 'C' ? '\\' : 0;
      if (decoded == 0) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(pathAndQuery.length());
      }
      sb.append(pathAndQuery, copied, i).append(decoded);
      copied = i + 3;
      i += 2;
    }
    if (sb == null) {
      return pathAndQuery;
    }
    return sb.append(pathAndQuery, copied, pathAndQuery.length()).toString();
  }
}
