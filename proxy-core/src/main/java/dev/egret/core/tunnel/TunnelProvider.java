package dev.egret.core.tunnel;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.router.ClusterRuntime;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Where {@code tcp_proxy}'s {@code tunneling_config} gets its HTTP/2 CONNECT tunnels: found with
 * {@link ServiceLoader}, so proxy-core never names the implementation (the {@code hbone} module's
 * HBONE client, with mutual TLS and pooled connections).
 */
public interface TunnelProvider {
  /**
   * Tunnels through {@code cluster}'s hosts, with its TLS settings; null after reporting at {@code at}
   * why this cluster cannot carry tunnels. The result is kept by one {@code tcp_proxy} and shared by
   * all its connections, on every event loop.
   */
  Tunnels tunnels(ClusterRuntime cluster, ConfigPath at);

  /** Opens CONNECT tunnels through one cluster. */
  interface Tunnels extends AutoCloseable {
    /** A tunnel to {@code peer} asking for {@code authority}, with extra request headers. */
    PipeOpener opener(InetSocketAddress peer, String authority, List<Map.Entry<String, String>> headers);

    @Override
    void close();
  }

  /** The first provider on the class path, or null when none is (the hbone module is absent). */
  static TunnelProvider load() {
    return ServiceLoader.load(TunnelProvider.class).findFirst().orElse(null);
  }
}
