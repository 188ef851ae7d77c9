package dev.egret.core.upstream;

import io.netty.util.concurrent.Future;
import java.util.List;

/**
 * Asynchronous DNS lookups for a DNS cluster, bound to one event loop. Implementations never block.
 */
public interface DnsResolver extends AutoCloseable {
  /**
   * Looks up {@code hostname}. The future completes on the resolver's event loop: with the addresses
   * (possibly none, when the name exists without records of the family asked for, or does not exist)
   * or with a failure (timeout, server failure, network error). An IP literal resolves to itself.
   */
  Future<List<ResolvedAddress>> resolve(String hostname, DnsLookupFamily family);

  /** Releases the resolver's sockets; pending lookups fail. */
  @Override
  void close();
}
