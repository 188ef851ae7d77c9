package dev.egret.filters.istio;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import dev.egret.core.http.filter.HttpFilterRegistry;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IstioTelemetryNoopsTest {
  static final Path ISTIO_DUMP = Path.of("..", "..", "shared", "testdata", "istio", "istio", "istioctl", "pkg",
      "proxyconfig", "testdata", "config_dump.json");
  private final HttpFilterRegistry registry = HttpFilterRegistry.load();
  private final FilterContext context = new FilterContext(new Stats(), "inbound_0.0.0.0_8000");

  /** The HTTP filters of main_internal's first HTTP chain in Istio's waypoint config dump. */
  static List<io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter> istioWaypointHttpFilters()
      throws Exception {
    JsonObject dump = new Gson().fromJson(Files.readString(ISTIO_DUMP), JsonObject.class);
    for (JsonElement c : dump.getAsJsonArray("configs")) {
      if (c.getAsJsonObject().has("dynamic_listeners")) {
        for (JsonElement l : c.getAsJsonObject().getAsJsonArray("dynamic_listeners")) {
          JsonObject listener = l.getAsJsonObject().getAsJsonObject("active_state").getAsJsonObject("listener");
          if (listener.get("name").getAsString().equals("main_internal")) {
            JsonObject hcm = listener.getAsJsonArray("filter_chains").get(0).getAsJsonObject()
                .getAsJsonArray("filters").get(0).getAsJsonObject().getAsJsonObject("typed_config");
            hcm.remove("@type");
            return BootstrapLoader.parse(hcm.toString(), "dump", HttpConnectionManager.newBuilder()).build()
                .getHttpFiltersList();
          }
        }
      }
    }
    throw new AssertionError("no main_internal");
  }

  @Test
  void istioWaypointTelemetryFiltersFromTheDumpCompileToFiltersThatChangeNothing() throws Exception {
    List<String> compiled = new ArrayList<>();
    for (var f : istioWaypointHttpFilters()) {
      HttpFilterProvider p = registry.provider(f.getTypedConfig().getTypeUrl());
      if (!List.of("istio.stats", "waypoint_upstream_peer_metadata", "envoy.filters.http.grpc_stats").contains(f.getName())) {
        continue;
      }
      assertThat(p).as(f.getName()).isNotNull();
      ConfigPath at = ConfigPath.root(f.getName());
      HttpFilterFactory factory = p.compile(f.getTypedConfig(), at, context.named(f.getName()));
      assertThat(at.errors()).isEmpty();
      HttpFilter filter = factory.newFilter();
      assertThat(filter.onRequestHeaders(null, null)).isEqualTo(HttpFilter.Status.CONTINUE);
      compiled.add(f.getName());
    }
    assertThat(compiled).containsExactly("envoy.filters.http.grpc_stats", "waypoint_upstream_peer_metadata",
        "istio.stats");
  }

  @Test
  void otherTypedStructFiltersAreRejectedWithTheirInnerType() throws Exception {
    var f = BootstrapLoader.parse("""
        name: wasm-thing
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.extensions.wasm.v3.PluginConfig
          value: { root_id: x }
        """, "test", io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter.newBuilder())
        .build();
    ConfigPath at = ConfigPath.root("http_filters[0].typed_config");
    assertThat(registry.provider(f.getTypedConfig().getTypeUrl()).compile(f.getTypedConfig(), at, context)).isNull();
    assertThat(at.errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).endsWith("typed_config.type_url");
      assertThat(e.message()).contains("envoy.extensions.wasm.v3.PluginConfig").contains("not supported");
    });
  }

  @Test
  void istioTcpChainTelemetryFiltersAreNetworkNoOpsAndSetFilterStateIsRegistered() throws Exception {
    dev.egret.core.network.NetworkFilterRegistry network = dev.egret.core.network.NetworkFilterRegistry.load();
    var exchange = BootstrapLoader.parse("""
        name: istio.metadata_exchange
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange
          value: { protocol: istio-peer-exchange, enable_discovery: true }
        """, "test", io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder()).build();
    ConfigPath at = ConfigPath.root("filters[1]");
    var factory = network.provider(exchange.getTypedConfig().getTypeUrl()).compile(exchange.getTypedConfig(), at,
        new dev.egret.core.network.NetworkFilterContext(new Stats(), exchange.getName()));
    assertThat(at.errors()).isEmpty();
    assertThat(factory.newFilter().onNewConnection(null)).isEqualTo(dev.egret.core.network.NetworkFilter.Status.CONTINUE);
    assertThat(network.provider("type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config"))
        .isNotNull();
  }
}
