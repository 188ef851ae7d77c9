package dev.egret.filters.istio;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import java.util.Set;

/**
 * {@code envoy.filters.http.grpc_stats} ({@code envoy.extensions.filters.http.grpc_stats.v3.FilterConfig}),
 * which Istio installs on waypoint HTTP chains (with {@code emit_filter_state: true}), accepted as a
 * no-op: it only counts gRPC messages and calls, never changing a stream (istio-waypoint-xds.md §10).
 * Egret does not emit its per-method counters or its {@code envoy.filters.http.grpc_stats} filter
 * state object.
 */
public final class GrpcStatsFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    try {
      typedConfig.unpack(io.envoyproxy.envoy.extensions.filters.http.grpc_stats.v3.FilterConfig.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      at.error("cannot decode " + TYPE_URL + ": " + e.getMessage());
      return null;
    }
    return NoopFilters.FACTORY;
  }
}
