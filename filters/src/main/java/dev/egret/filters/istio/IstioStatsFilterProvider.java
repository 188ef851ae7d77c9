package dev.egret.filters.istio;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import java.util.Set;

/**
 * Istio's {@code istio.stats} HTTP filter ({@code stats.PluginConfig}), accepted as a no-op. In
 * Envoy it records Istio's standard metrics ({@code istio_requests_total}, …) and never changes a
 * request or response, so running without it changes no traffic; Egret exports Envoy's own stats
 * instead (istio-waypoint-xds.md §10). Its configuration is not Java-decodable (the type is not in
 * the Envoy API jar) and is not read.
 */
public final class IstioStatsFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/stats.PluginConfig";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    return NoopFilters.FACTORY;
  }
}
