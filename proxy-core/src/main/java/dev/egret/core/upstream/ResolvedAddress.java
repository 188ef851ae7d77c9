package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;

/**
 * One address from a DNS answer.
 *
 * @param address    the IP
 * @param ttlSeconds the record's time to live; 0 when unknown (IP literals, hosts file)
 */
public record ResolvedAddress(InetAddress address, long ttlSeconds) {
  public ResolvedAddress {
    requireNonNull(address, "address");
    if (ttlSeconds < 0) {
      throw new IllegalArgumentException("negative TTL " + ttlSeconds);
    }
  }
}
