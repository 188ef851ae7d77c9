package dev.egret.core.http.filter;

import static java.util.Objects.requireNonNull;

import dev.egret.core.route.PerFilterConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * An HTTP filter listed with {@code disabled: true}: it runs only on routes whose
 * {@code typed_per_filter_config} (route, virtual host or route configuration) has an entry for its
 * name that is not {@code FilterConfig.disabled}; elsewhere the stream passes it untouched, response
 * included. kgateway installs its policy filters this way.
 */
public final class DisabledByDefault implements HttpFilterFactory {
  private final String filterName;
  private final HttpFilterFactory delegate;

  public DisabledByDefault(String filterName, HttpFilterFactory delegate) {
    this.filterName = requireNonNull(filterName, "filterName");
    this.delegate = requireNonNull(delegate, "delegate");
  }

  @Override
  public HttpFilter newFilter() {
    return new Gate(delegate.newFilter());
  }

  /** Decides once per stream, on the request headers. */
  private final class Gate implements HttpFilter {
    private final HttpFilter inner;
    private boolean enabled;

    Gate(HttpFilter inner) {
      this.inner = inner;
    }

    @Override
    public Status onRequestHeaders(HttpFilterCallbacks callbacks, HttpRequest request) {
      Object perRoute = callbacks.perRouteConfig(filterName);
      enabled = perRoute != null && perRoute != PerFilterConfig.DISABLED;
      return enabled ? inner.onRequestHeaders(callbacks, request) : Status.CONTINUE;
    }

    @Override
    public void onResponseHeaders(HttpFilterCallbacks callbacks, HttpResponse response) {
      if (enabled) {
        inner.onResponseHeaders(callbacks, response);
      }
    }

    @Override
    public void onStreamEnd(HttpFilterCallbacks callbacks) {
      if (enabled) {
        inner.onStreamEnd(callbacks);
      }
    }
  }
}
