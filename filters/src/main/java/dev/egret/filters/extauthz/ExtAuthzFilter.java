package dev.egret.filters.extauthz;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.stream.ResponseFlag;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ext_authz filter on one stream. On request headers it asks the authorization server and stops
 * the request; the answer arrives on the stream's event loop and
 * <ul>
 *   <li>OK: counts {@code ok}, applies the header changes (set / append / remove; pseudo-headers and
 *       {@code host} cannot be removed), query changes and dynamic metadata (namespace
 *       {@code envoy.filters.http.ext_authz}), keeps {@code response_headers_to_add} for the response,
 *       and resumes the request (the router routes on the changed headers);
 *   <li>Denied: counts {@code denied}, flags {@code UAEX} and answers with the server's status, body and
 *       headers (details {@code ext_authz_denied});
 *   <li>Error (unreachable, timeout, failure): counts {@code error}; with {@code failure_mode_allow}
 *       counts {@code failure_mode_allowed}, optionally adds {@code x-envoy-auth-failure-mode-allowed:
 *       true} and resumes; otherwise flags {@code UAEX} and answers {@code status_on_error} with an
 *       empty body (details {@code ext_authz_error}).
 * </ul>
 * The filter is skipped for routes whose per-route config disables it, for requests with no route,
 * and when {@code filter_enabled} / {@code filter_enabled_metadata} say so (stat {@code disabled};
 * with {@code deny_at_disable} the request is refused as an error). A stream that ends while the check
 * is pending cancels it.
 */
final class ExtAuthzFilter implements HttpFilter {
  static final String METADATA_NAMESPACE = "envoy.filters.http.ext_authz";
  static final String FAILURE_MODE_ALLOWED_HEADER = "x-envoy-auth-failure-mode-allowed";

  private final ExtAuthzFilterFactory f;
  private AuthzClient.Pending pending;
  private boolean calling; // inside client.check()
  private AuthzResult early; // an answer given before check() returned
  private boolean waiting; // the request is stopped for the answer
  private boolean over;
  private List<HeaderOp> responseOps;
  private List<HeaderOp> deniedHeaders;

  ExtAuthzFilter(ExtAuthzFilterFactory factory) {
    this.f = factory;
  }

  @Override
  public Status onRequestHeaders(HttpFilterCallbacks cb, HttpRequest request) {
    Object perRoute = f.filterName.isEmpty() ? null : cb.perRouteConfig(f.filterName);
    if (perRoute == PerFilterConfig.DISABLED || cb.route() == null) {
      return Status.CONTINUE;
    }
    ExtAuthzFilterFactory.Policy p = f.policy;
    if (!f.enabled(cb.info())) {
      f.stats.disabled.inc();
      if (p.denyAtDisable()) {
        cb.sendLocalReply(p.statusOnError(), "", "ext_authz_error", ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE, null);
      }
      return Status.CONTINUE;
    }
    Map<String, String> extensions = perRoute instanceof RouteSettings r ? r.contextExtensions() : Map.of();
    calling = true;
    try {
      pending = f.client.check(cb, request, extensions, result -> onAnswer(cb, request, result));
    } finally {
      calling = false;
    }
    if (early != null) {
      AuthzResult r = early;
      early = null;
      pending = null;
      decide(cb, request, r, false);
      return Status.CONTINUE;
    }
    waiting = true;
    return Status.STOP;
  }

  private void onAnswer(HttpFilterCallbacks cb, HttpRequest request, AuthzResult result) {
    if (over) {
      return;
    }
    if (calling) {
      early = result;
      return;
    }
    if (!waiting) {
      return;
    }
    waiting = false;
    pending = null;
    decide(cb, request, result, true);
  }

  private void decide(HttpFilterCallbacks cb, HttpRequest request, AuthzResult result, boolean resume) {
    ExtAuthzFilterFactory.Policy p = f.policy;
    if (result instanceof AuthzResult.Ok ok) {
      f.stats.ok.inc();
      ingest(cb, ok.dynamicMetadata());
      if (!mutate(request, ok) && p.validateMutations()) {
        f.stats.invalid.inc();
        cb.sendLocalReply(500, "", "ext_authz_invalid", ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE, null);
        return;
      }
      responseOps = ok.responseHeaders().isEmpty() ? null : ok.responseHeaders();
      if (resume) {
        cb.continueRequest();
      }
    } else if (result instanceof AuthzResult.Denied d) {
      f.stats.denied.inc();
      ingest(cb, d.dynamicMetadata());
      deniedHeaders = d.headers().isEmpty() ? null : d.headers();
      cb.sendLocalReply(d.status(), d.body(), "ext_authz_denied", ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE, null);
    } else {
      f.stats.error.inc();
      if (p.failureModeAllow()) {
        f.stats.failureModeAllowed.inc();
        if (p.failureModeAllowHeaderAdd()) {
          request.headers().set(FAILURE_MODE_ALLOWED_HEADER, "true");
        }
        if (resume) {
          cb.continueRequest();
        }
      } else {
        cb.sendLocalReply(p.statusOnError(), "", "ext_authz_error", ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE, null);
      }
    }
  }

  private void ingest(HttpFilterCallbacks cb, com.google.protobuf.Struct metadata) {
    if (metadata != null && f.policy.ingestMetadata() && cb.info() != null) {
      cb.info().dynamicMetadata().merge(METADATA_NAMESPACE, metadata);
    }
  }

  /** Applies an OK answer's request changes; false when one was invalid. */
  private static boolean mutate(HttpRequest request, AuthzResult.Ok ok) {
    HttpHeaders h = request.headers();
    boolean valid = HeaderOp.apply(h, ok.requestHeaders()) == 0;
    for (String name : ok.removeHeaders()) {
      if (!name.startsWith(":") && !name.equals("host")) {
        h.remove(name);
      }
    }
    if (!ok.queryToSet().isEmpty() || !ok.queryToRemove().isEmpty()) {
      request.setUri(rewriteQuery(request.uri(), ok.queryToSet(), ok.queryToRemove()));
    }
    return valid;
  }

  /** {@code uri} with parameters removed, then set (replacing every existing value, else appended). */
  static String rewriteQuery(String uri, List<String[]> set, List<String> remove) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    List<String> params = new ArrayList<>();
    if (q >= 0 && q + 1 < uri.length()) {
      for (String kv : uri.substring(q + 1).split("&")) {
        if (!kv.isEmpty()) {
          params.add(kv);
        }
      }
    }
    for (String name : remove) {
      params.removeIf(kv -> key(kv).equals(name));
    }
    for (String[] kv : set) {
      String encoded = URLEncoder.encode(kv[0], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(kv[1], StandardCharsets.UTF_8);
      int at = -1;
      for (int i = 0; i < params.size(); i++) {
        if (key(params.get(i)).equals(kv[0])) {
          at = at < 0 ? i : at;
        }
      }
      params.removeIf(p -> key(p).equals(kv[0]));
      params.add(at < 0 ? params.size() : Math.min(at, params.size()), encoded);
    }
    return params.isEmpty() ? path : path + "?" + String.join("&", params);
  }

  private static String key(String kv) {
    int eq = kv.indexOf('=');
    return java.net.URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
  }

  @Override
  public void onResponseHeaders(HttpFilterCallbacks cb, HttpResponse response) {
    HttpHeaders h = response.headers();
    if (deniedHeaders != null) {
      // the server's headers replace the local reply's, and repeated ones (set-cookie) all survive
      for (HeaderOp op : deniedHeaders) {
        h.remove(op.nettyName());
      }
      HeaderOp.apply(h, deniedHeaders);
    }
    if (responseOps != null) {
      HeaderOp.apply(h, responseOps);
    }
  }

  @Override
  public void onStreamEnd(HttpFilterCallbacks cb) {
    over = true;
    AuthzClient.Pending p = pending;
    pending = null;
    if (p != null && waiting) {
      p.cancel();
    }
    waiting = false;
  }
}
