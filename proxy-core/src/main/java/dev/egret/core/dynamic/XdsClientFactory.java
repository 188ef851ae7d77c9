package dev.egret.core.dynamic;

import dev.egret.core.EgretServer;
import dev.egret.core.config.ConfigException;

/**
 * Starts the xDS client of a server whose bootstrap has {@code dynamic_resources}. Found with
 * {@link java.util.ServiceLoader} (the {@code xds-client} module provides one), so proxy-core never
 * names the client. The returned handle is closed with the server.
 */
public interface XdsClientFactory {
  /**
   * Starts subscribing for {@code server} (its {@link EgretServer#bootstrap()} and
   * {@link EgretServer#dynamicResources()}); must not block on the control plane.
   *
   * @throws ConfigException when the bootstrap's xDS settings cannot be run
   */
  AutoCloseable start(EgretServer server) throws ConfigException;
}
