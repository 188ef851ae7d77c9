package dev.egret.filters.setfilterstate;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.filterstate.FilterStateRules;
import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.extensions.filters.network.set_filter_state.v3.Config;
import java.util.Set;

/**
 * The network {@code set_filter_state} filter's work
 * ({@code envoy.extensions.filters.network.set_filter_state.v3.Config}, field
 * {@code on_new_connection}): when a connection's filter chain starts, each entry is evaluated
 * against the connection's stream info and set in the connection's filter state, which every HTTP
 * stream on the connection then sees. kgateway's PROXY sandwich uses it to copy
 * {@code %DYNAMIC_METADATA(envoy.filters.listener.proxy_protocol:peer_principal)%} (TLV 0xD0) into
 * {@code io.istio.peer_principal}. Immutable; {@link #onNewConnection} runs on the connection's event
 * loop.
 */
public final class NetworkSetFilterState {
  public static final String TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config";

  private final FilterStateRules rules;

  private NetworkSetFilterState(FilterStateRules rules) {
    this.rules = requireNonNull(rules, "rules");
  }

  /** Compiles a decoded config; null after reporting at {@code at}. */
  public static NetworkSetFilterState compile(Config proto, ConfigPath at) {
    Fields.allowOnly(proto, at, Set.of("on_new_connection"));
    FilterStateRules rules = FilterStateRules.compile(proto.getOnNewConnectionList(), at.field("on_new_connection"));
    return rules == null ? null : new NetworkSetFilterState(rules);
  }

  /**
   * Sets the entries in {@code connection}'s filter state, evaluating formats against
   * {@code connectionInfo} (the connection-level stream info, whose filter state and metadata fall
   * back to the connection's).
   *
   * @return how many values were set
   */
  public int onNewConnection(ConnectionInfo connection, StreamInfo connectionInfo) {
    return rules.apply(connectionInfo, connection.filterState());
  }

  public FilterStateRules rules() {
    return rules;
  }
}
