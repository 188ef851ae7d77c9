package dev.egret.core.upstream;

import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Makes the {@link DnsResolver} a DNS cluster uses. Production uses {@link #system()}, which reads
 * the name servers and search domains from the platform ({@code /etc/resolv.conf}); tests point
 * clusters at their own server with {@link #nameServer}.
 */
@FunctionalInterface
public interface DnsResolverFactory {
  /** A resolver whose lookups run and complete on {@code loop}. */
  DnsResolver create(EventLoop loop);

  /** Netty's DNS resolver with the platform's name servers and search domains. */
  static DnsResolverFactory system() {
    return loop -> NettyDnsResolver.system(loop);
  }

  /** Netty's DNS resolver asking only {@code server}, with no search domains. */
  static DnsResolverFactory nameServer(InetSocketAddress server) {
    return loop -> NettyDnsResolver.forServer(loop, server);
  }

  /**
   * Netty's DNS resolver asking {@code servers} in order (the next one when a query fails), with the
   * platform's search domains when {@code platformSearchDomains} is true and none otherwise; what a
   * cluster's c-ares {@code resolvers} configure.
   */
  static DnsResolverFactory nameServers(List<InetSocketAddress> servers, boolean platformSearchDomains) {
    List<InetSocketAddress> copy = List.copyOf(servers);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no name servers");
    }
    return loop -> NettyDnsResolver.forServers(loop, copy, platformSearchDomains);
  }
}
