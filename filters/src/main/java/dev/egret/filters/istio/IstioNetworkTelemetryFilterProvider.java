package dev.egret.filters.istio;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.network.NetworkFilter;
import dev.egret.core.network.NetworkFilterContext;
import dev.egret.core.network.NetworkFilterFactory;
import dev.egret.core.network.NetworkFilterProvider;
import java.util.Set;

/**
 * Istio's telemetry network filters on TCP chains, accepted as no-ops (istio-waypoint-xds.md §6.5,
 * §10): {@code istio.metadata_exchange} ({@code envoy.tcp.metadataexchange.config.MetadataExchange},
 * which swaps workload metadata with a peer sidecar over the {@code istio-peer-exchange} ALPN, never
 * offered on a waypoint's internal connections), {@code istio.stats} ({@code stats.PluginConfig},
 * metrics only) and the network peer-metadata filter
 * ({@code envoy.extensions.network_filters.peer_metadata.Config}), bare or inside a
 * {@code TypedStruct}. None changes the bytes or the connection. Other {@code TypedStruct} contents
 * are rejected with their inner type URL.
 */
public final class IstioNetworkTelemetryFilterProvider implements NetworkFilterProvider {
  static final Set<String> NOOP = Set.of("type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
      IstioStatsFilterProvider.TYPE_URL, "type.googleapis.com/envoy.extensions.network_filters.peer_metadata.Config");
  private static final NetworkFilter FILTER = cb -> NetworkFilter.Status.CONTINUE;

  @Override
  public Set<String> typeUrls() {
    return union();
  }

  private static Set<String> union() {
    java.util.Set<String> all = new java.util.HashSet<>(NOOP);
    all.add(TypedStructTelemetryFilterProvider.UDPA_TYPED_STRUCT);
    all.add(TypedStructTelemetryFilterProvider.XDS_TYPED_STRUCT);
    return Set.copyOf(all);
  }

  @Override
  public NetworkFilterFactory compile(Any typedConfig, ConfigPath at, NetworkFilterContext context) {
    String type = typedConfig.getTypeUrl();
    if (type.equals(TypedStructTelemetryFilterProvider.UDPA_TYPED_STRUCT)
        || type.equals(TypedStructTelemetryFilterProvider.XDS_TYPED_STRUCT)) {
      try {
        type = type.equals(TypedStructTelemetryFilterProvider.UDPA_TYPED_STRUCT)
            ? typedConfig.unpack(com.github.udpa.udpa.type.v1.TypedStruct.class).getTypeUrl()
            : typedConfig.unpack(com.github.xds.type.v3.TypedStruct.class).getTypeUrl();
      } catch (InvalidProtocolBufferException e) {
        at.error("cannot decode " + typedConfig.getTypeUrl() + ": " + e.getMessage());
        return null;
      }
      if (!NOOP.contains(type)) {
        at.field("type_url").error("network filter " + (type.isEmpty() ? "(no type_url)" : type)
            + " in a TypedStruct is not supported by Egret (only Istio's telemetry filters "
            + NOOP.stream().sorted().toList() + ", which it runs as no-ops)");
        return null;
      }
    }
    return () -> FILTER;
  }
}
