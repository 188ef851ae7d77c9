package dev.egret.core.upstream;

/** Which address families a DNS cluster asks for (Envoy's {@code Cluster.DnsLookupFamily}). */
public enum DnsLookupFamily {
  /** IPv6 ({@code AAAA}) first; IPv4 ({@code A}) only when there is no IPv6 address. Envoy's default. */
  AUTO,
  V4_ONLY,
  V6_ONLY,
  /** IPv4 first; IPv6 only when there is no IPv4 address. */
  V4_PREFERRED,
  /** Both families: the IPv4 addresses, then the IPv6 ones. */
  ALL
}
