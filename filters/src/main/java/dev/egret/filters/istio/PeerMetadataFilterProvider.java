package dev.egret.filters.istio;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import java.util.Set;

/**
 * Istio's peer-metadata HTTP filter ({@code io.istio.http.peer_metadata.Config}; in waypoints
 * {@code waypoint_downstream_peer_metadata} and {@code waypoint_upstream_peer_metadata}), accepted
 * as a no-op. In Envoy it looks up the peer workload (by baggage or workload discovery) and leaves
 * its labels in filter state for {@code istio.stats} to label metrics with; nothing routes or
 * authorizes on it, so running without it changes no traffic (istio-waypoint-xds.md §10).
 */
public final class PeerMetadataFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/io.istio.http.peer_metadata.Config";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    return NoopFilters.FACTORY;
  }
}
