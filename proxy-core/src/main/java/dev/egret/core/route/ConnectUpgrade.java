package dev.egret.core.route;

import static dev.egret.core.route.MatcherCompiler.allowOnly;

import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import java.util.List;
import java.util.Set;

/**
 * A route's {@code upgrade_configs} entry for {@code CONNECT}.
 *
 * <p>{@code enabled} overrides the connection manager's {@code upgrade_configs} for this route (null:
 * the connection manager decides). {@code terminate} is true when the entry carries
 * {@code connect_config}: the router then terminates the CONNECT and relays the stream's bytes to
 * the cluster's host as a raw byte stream, answering 200 once it is connected. Only
 * {@code upgrade_type: CONNECT} is supported; other upgrade types are rejected.
 *
 * @param enabled  the entry's {@code enabled} (true when the entry exists without it), or null
 * @param terminate {@code connect_config} is present
 */
public record ConnectUpgrade(Boolean enabled, boolean terminate) {
  /** No CONNECT entry on the route. */
  public static final ConnectUpgrade INHERIT = new ConnectUpgrade(null, false);

  /** Whether CONNECT is allowed on this route, given the connection manager's setting. */
  public boolean allowed(boolean connectionManagerAllows) {
    return enabled != null ? enabled : connectionManagerAllows;
  }

  static ConnectUpgrade compile(List<RouteAction.UpgradeConfig> configs, ConfigPath at) {
    ConnectUpgrade out = INHERIT;
    for (int i = 0; i < configs.size(); i++) {
      RouteAction.UpgradeConfig u = configs.get(i);
      ConfigPath ua = at.index(i);
      allowOnly(u, ua, Set.of("upgrade_type", "enabled", "connect_config"));
      if (!u.getUpgradeType().equalsIgnoreCase("CONNECT")) {
        ua.field("upgrade_type").error("upgrade_type '" + u.getUpgradeType()
            + "' is not supported by Egret (only CONNECT)");
        continue;
      }
      if (out != INHERIT) {
        ua.error("CONNECT is configured twice in upgrade_configs");
        continue;
      }
      if (u.hasConnectConfig()) {
        allowOnly(u.getConnectConfig(), ua.field("connect_config"), Set.of());
      }
      out = new ConnectUpgrade(!u.hasEnabled() || u.getEnabled().getValue(), u.hasConnectConfig());
    }
    return out;
  }
}
