package dev.egret.filters.setfilterstate;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.filterstate.FilterStateRules;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import io.envoyproxy.envoy.extensions.filters.http.set_filter_state.v3.Config;
import java.util.Set;

/**
 * Compiles the HTTP {@code set_filter_state} filter
 * ({@code envoy.extensions.filters.http.set_filter_state.v3.Config}, field {@code on_request_headers};
 * the entries as {@link FilterStateRules} describes). On request headers the filter evaluates each
 * entry against the stream and sets the result in the stream's filter state; values marked
 * {@code shared_with_upstream} travel with the stream into an internal listener or upstream
 * connection. Istio's {@code connect_authority} filter on {@code connect_terminate} is this filter.
 */
public final class SetFilterStateFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.set_filter_state.v3.Config";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    Config proto = Protos.unpack(typedConfig, Config.class, at);
    if (proto == null) {
      return null;
    }
    return compile(proto, at);
  }

  /** Compiles a decoded config; null after reporting at {@code at}. */
  public static HttpFilterFactory compile(Config proto, ConfigPath at) {
    Fields.allowOnly(proto, at, Set.of("on_request_headers"));
    FilterStateRules rules = FilterStateRules.compile(proto.getOnRequestHeadersList(), at.field("on_request_headers"));
    if (rules == null) {
      return null;
    }
    HttpFilter filter = (cb, request) -> {
      rules.apply(cb.info(), cb.info().filterState());
      return HttpFilter.Status.CONTINUE;
    };
    return () -> filter;
  }
}
