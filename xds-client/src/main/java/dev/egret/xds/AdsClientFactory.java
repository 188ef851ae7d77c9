package dev.egret.xds;

import dev.egret.core.Egret;
import dev.egret.core.EgretServer;
import dev.egret.core.config.ConfigException;
import dev.egret.core.config.XdsSettings;
import dev.egret.core.dynamic.XdsClientFactory;
import java.util.concurrent.TimeUnit;

/**
 * Starts an {@link AdsClient} for a server whose bootstrap has {@code dynamic_resources} (found by
 * {@link java.util.ServiceLoader}): compiles the settings, opens the channel, sends the bootstrap's
 * node with Egret's user agent. Back-off between reconnections: 500 ms base, 30 s cap, as Envoy.
 */
public final class AdsClientFactory implements XdsClientFactory {
  static final long BACKOFF_BASE_MILLIS = 500;
  static final long BACKOFF_MAX_MILLIS = 30_000;

  @Override
  public AutoCloseable start(EgretServer server) throws ConfigException {
    XdsSettings s = XdsSettings.of(server.bootstrap());
    XdsChannels.Opened ch = XdsChannels.open(s, server.bootstrap());
    AdsClient client = new AdsClient(s, NodeInfo.of(server.bootstrap().getNode(), Egret.version()),
        ch.intercepted(), () -> {
          ch.channel().shutdownNow();
          try {
            ch.channel().awaitTermination(2, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ch.shutdownExtra().run();
        }, server.dynamicResources(), BACKOFF_BASE_MILLIS, BACKOFF_MAX_MILLIS);
    client.start();
    return client;
  }
}
