package dev.egret.filters.istio;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import java.util.Set;

/**
 * HTTP filters configured through a {@code TypedStruct} ({@code udpa.type.v1.TypedStruct} or
 * {@code xds.type.v3.TypedStruct}), as istiod sends its own filters. Only the Istio telemetry types
 * are accepted, as the same no-ops as when they come unwrapped ({@link IstioStatsFilterProvider},
 * {@link PeerMetadataFilterProvider}); any other wrapped type is rejected with its inner type URL.
 */
public final class TypedStructTelemetryFilterProvider implements HttpFilterProvider {
  public static final String UDPA_TYPED_STRUCT = "type.googleapis.com/udpa.type.v1.TypedStruct";
  public static final String XDS_TYPED_STRUCT = "type.googleapis.com/xds.type.v3.TypedStruct";
  static final Set<String> NOOP_INNER = Set.of(IstioStatsFilterProvider.TYPE_URL, PeerMetadataFilterProvider.TYPE_URL);

  @Override
  public Set<String> typeUrls() {
    return Set.of(UDPA_TYPED_STRUCT, XDS_TYPED_STRUCT);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    String inner;
    try {
      inner = typedConfig.getTypeUrl().equals(UDPA_TYPED_STRUCT)
          ? typedConfig.unpack(com.github.udpa.udpa.type.v1.TypedStruct.class).getTypeUrl()
          : typedConfig.unpack(com.github.xds.type.v3.TypedStruct.class).getTypeUrl();
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode " + typedConfig.getTypeUrl() + ": " + e.getMessage());
      return null;
    }
    if (!NOOP_INNER.contains(inner)) {
      at.field("type_url").error("HTTP filter " + (inner.isEmpty() ? "(no type_url)" : inner)
          + " in a TypedStruct is not supported by Egret (only Istio's telemetry filters "
          + NOOP_INNER.stream().sorted().toList() + ", which it runs as no-ops)");
      return null;
    }
    return NoopFilters.FACTORY;
  }
}
