package dev.egret.core.route;

/**
 * A compiled {@code RedirectAction}. {@link #location} builds the {@code location} header as Envoy
 * does:
 * <ol>
 *   <li>the path: {@code prefix_rewrite} / {@code regex_rewrite} applied to the request path (query
 *       kept), or {@code path_redirect} — which keeps the request's query unless it has its own, in
 *       which case that one wins and {@code strip_query} does not touch it; a leading {@code /} is
 *       added when missing; {@code strip_query} then drops the query;</li>
 *   <li>the scheme: {@code scheme_redirect}, else {@code https} for {@code https_redirect}, else the
 *       request's;</li>
 *   <li>the host: {@code host_redirect}, else the request authority, whose port is dropped when
 *       {@code port_redirect} is set, or when the scheme changes and the port is the old scheme's
 *       default ({@code :80} for http, {@code :443} for https);</li>
 *   <li>{@code :port_redirect} when set.</li>
 * </ol>
 * The status is 301 unless {@code response_code} says 302, 303, 307 or 308.
 */
public final class Redirect {
  private final int status;
  private final String scheme; // null: keep (or https when httpsRedirect)
  private final boolean httpsRedirect;
  private final String host; // null: keep
  private final int port; // 0: keep
  private final String pathRedirect; // null unless set
  private final boolean pathRedirectHasQuery;
  private final PathRewrite pathRewrite; // null unless prefix/regex rewrite
  private final boolean stripQuery;

  Redirect(int status, String scheme, boolean httpsRedirect, String host, int port,
      String pathRedirect, PathRewrite pathRewrite, boolean stripQuery) {
    this.status = status;
    this.scheme = scheme;
    this.httpsRedirect = httpsRedirect;
    this.host = host;
    this.port = port;
    this.pathRedirect = pathRedirect;
    this.pathRedirectHasQuery = pathRedirect != null && pathRedirect.indexOf('?') >= 0;
    this.pathRewrite = pathRewrite;
    this.stripQuery = stripQuery;
  }

  /** 301, 302, 303, 307 or 308. */
  public int status() {
    return status;
  }

  /**
   * The redirect target.
   *
   * @param requestScheme  the request's scheme as the connection manager settled it
   *                       ({@code x-forwarded-proto}), {@code http} or {@code https}
   * @param authority      the request's {@code :authority} / {@code host}; may be null
   * @param pathWithQuery  the request's {@code :path}
   */
  public String location(String requestScheme, String authority, String pathWithQuery) {
    String finalScheme = scheme != null ? scheme : httpsRedirect ? "https" : requestScheme;
    String finalPort = port != 0 ? ":" + port : "";
    String finalHost = host != null ? host : requestHost(authority == null ? "" : authority,
        finalScheme, !finalPort.isEmpty(), requestScheme);
    String path = pathRewrite != null ? pathRewrite.apply(pathWithQuery) : pathWithQuery;
    if (pathRedirect != null) {
      if (pathRedirectHasQuery) {
        path = pathRedirect;
      } else {
        int q = path.indexOf('?');
        path = q >= 0 ? pathRedirect + path.substring(q) : pathRedirect;
      }
    }
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    if (stripQuery && !pathRedirectHasQuery) {
      int q = path.indexOf('?');
      if (q >= 0) {
        path = path.substring(0, q);
      }
    }
    return finalScheme + "://" + finalHost + finalPort + path;
  }

  private static String requestHost(String host, String newScheme, boolean newPort, String oldScheme) {
    if (host.isEmpty()) {
      return host;
    }
    int hostEnd;
    if (host.charAt(0) == '[') {
      hostEnd = host.lastIndexOf("]:");
      if (hostEnd >= 0) {
        hostEnd++;
      }
    } else {
      hostEnd = host.lastIndexOf(':');
    }
    if (hostEnd < 0) {
      return host;
    }
    String oldPort = host.substring(hostEnd);
    boolean remove = newPort;
    if (!newScheme.equals(oldScheme)) {
      remove |= "https".equals(oldScheme) && oldPort.equals(":443");
      remove |= "http".equals(oldScheme) && oldPort.equals(":80");
    }
    return remove ? host.substring(0, hostEnd) : host;
  }
}
