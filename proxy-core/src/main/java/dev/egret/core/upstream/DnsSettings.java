package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * When and how a DNS cluster resolves its endpoints.
 *
 * @param refreshRate        {@code dns_refresh_rate}: time between lookups after a success (default 5 s)
 * @param failureBase        {@code dns_failure_refresh_rate.base_interval}: first retry after a failure;
 *                           the refresh rate when unset
 * @param failureMax         {@code dns_failure_refresh_rate.max_interval}: retries back off exponentially
 *                           up to this (default 10 × base); equal to the refresh rate when unset
 * @param respectTtl         {@code respect_dns_ttl}: after a success, wait the answer's smallest TTL
 *                           instead of the refresh rate (a TTL of 0, or no records, uses the refresh rate)
 * @param family             {@code dns_lookup_family}
 * @param resolvers          the name servers of {@code typed_dns_resolver_config} (c-ares {@code
 *                           resolvers}), asked in order; empty: the resolver Egret was started with
 *                           (normally the platform's, from {@code /etc/resolv.conf})
 * @param searchDomains      with {@code resolvers}: whether the platform's search domains still apply
 *                           (false for {@code dns_resolver_options.no_default_search_domain})
 */
public record DnsSettings(Duration refreshRate, Duration failureBase, Duration failureMax,
    boolean respectTtl, DnsLookupFamily family, List<InetSocketAddress> resolvers, boolean searchDomains) {

  static final Duration DEFAULT_REFRESH_RATE = Duration.ofMillis(5000);

  /** Envoy's defaults: 5 s refresh, failures retried at the refresh rate, TTL ignored, AUTO. */
  public static final DnsSettings DEFAULT = new DnsSettings(DEFAULT_REFRESH_RATE, DEFAULT_REFRESH_RATE,
      DEFAULT_REFRESH_RATE, false, DnsLookupFamily.AUTO);

  /** Settings that use the resolver Egret was started with. */
  public DnsSettings(Duration refreshRate, Duration failureBase, Duration failureMax, boolean respectTtl,
      DnsLookupFamily family) {
    this(refreshRate, failureBase, failureMax, respectTtl, family, List.of(), true);
  }

  public DnsSettings {
    resolvers = List.copyOf(resolvers);
    requireNonNull(refreshRate, "refreshRate");
    requireNonNull(failureBase, "failureBase");
    requireNonNull(failureMax, "failureMax");
    requireNonNull(family, "family");
    if (refreshRate.isNegative() || refreshRate.isZero() || failureBase.isNegative() || failureBase.isZero()
        || failureMax.compareTo(failureBase) < 0) {
      throw new IllegalArgumentException("bad DNS intervals " + refreshRate + " " + failureBase + " " + failureMax);
    }
  }

  /** The resolver factory for these settings: {@code resolvers} when set, else {@code started}. */
  DnsResolverFactory resolverOr(DnsResolverFactory started) {
    return resolvers.isEmpty() ? started : DnsResolverFactory.nameServers(resolvers, searchDomains);
  }

  /** Delay before the next lookup after a success whose smallest TTL is {@code minTtlSeconds} (0: none). */
  Duration afterSuccess(long minTtlSeconds) {
    return respectTtl && minTtlSeconds > 0 ? Duration.ofSeconds(minTtlSeconds) : refreshRate;
  }

  /** Delay before retrying after the {@code n}th consecutive failure (n >= 1): base × 2^(n-1), capped. */
  Duration afterFailure(int n) {
    Duration d = failureBase;
    for (int i = 1; i < n && d.compareTo(failureMax) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(failureMax) > 0 ? failureMax : d;
  }
}
