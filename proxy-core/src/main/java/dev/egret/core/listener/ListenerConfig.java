package dev.egret.core.listener;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.ListenerStats;
import java.net.InetSocketAddress;

/**
 * A compiled listener.
 *
 * @param name                the listener's name
 * @param address             where it binds, or null for an internal listener (reached in process)
 * @param chains              its filter chains and their selection
 * @param bufferLimitBytes    {@code per_connection_buffer_limit_bytes} (write high-water mark)
 * @param stats               {@code listener.<address>.*}
 * @param listenerFilters     the listener filters run before chain selection
 */
public record ListenerConfig(
    String name,
    InetSocketAddress address,
    ChainSelector chains,
    int bufferLimitBytes,
    ListenerStats stats,
    ListenerFilters listenerFilters) {
  public ListenerConfig {
    requireNonNull(name, "name");
    requireNonNull(chains, "chains");
    requireNonNull(stats, "stats");
    requireNonNull(listenerFilters, "listenerFilters");
  }

  /** A listener without listener filters. */
  public ListenerConfig(String name, InetSocketAddress address, ChainSelector chains, int bufferLimitBytes,
      ListenerStats stats) {
    this(name, address, chains, bufferLimitBytes, stats, ListenerFilters.NONE);
  }

  /** Whether this is an internal listener ({@code internal_listener}), which binds no socket. */
  public boolean internal() {
    return address == null;
  }
}
