package dev.egret.filters.setfilterstate;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.network.NetworkFilter;
import dev.egret.core.network.NetworkFilterContext;
import dev.egret.core.network.NetworkFilterFactory;
import dev.egret.core.network.NetworkFilterProvider;
import io.envoyproxy.envoy.extensions.filters.network.set_filter_state.v3.Config;
import java.util.Set;

/**
 * Registers the network {@code set_filter_state} filter
 * ({@code envoy.extensions.filters.network.set_filter_state.v3.Config}) with the network-filter SPI:
 * when a connection's chain starts, {@link NetworkSetFilterState} sets its entries in the
 * connection's filter state and the connection continues. Istio's {@code connect_authority} on
 * {@code main_internal} chains and kgateway's {@code proxy_protocol_authority} are this filter.
 */
public final class SetFilterStateNetworkFilterProvider implements NetworkFilterProvider {
  @Override
  public Set<String> typeUrls() {
    return Set.of(NetworkSetFilterState.TYPE_URL);
  }

  @Override
  public NetworkFilterFactory compile(Any typedConfig, ConfigPath at, NetworkFilterContext context) {
    Config proto = Protos.unpack(typedConfig, Config.class, at);
    if (proto == null) {
      return null;
    }
    NetworkSetFilterState state = NetworkSetFilterState.compile(proto, at);
    if (state == null) {
      return null;
    }
    NetworkFilter filter = cb -> {
      state.onNewConnection(cb.connection(), cb.info());
      return NetworkFilter.Status.CONTINUE;
    };
    return () -> filter;
  }
}
