/**
 * Upstream clusters: the compiled cluster configuration ({@link dev.egret.core.upstream.ClusterConfig},
 * from Envoy's {@code Cluster} proto), the live host set of a cluster
 * ({@link dev.egret.core.upstream.UpstreamCluster}, {@link dev.egret.core.upstream.HostSet},
 * {@link dev.egret.core.upstream.Host}), endpoint discovery (STATIC, STRICT_DNS and LOGICAL_DNS over
 * Netty's non-blocking DNS resolver) and load balancing (ROUND_ROBIN, LEAST_REQUEST, RANDOM).
 *
 * <p>Connection pools and the router live elsewhere; they pick a host with
 * {@link dev.egret.core.upstream.UpstreamCluster#chooseHost()} and follow membership changes through
 * {@link dev.egret.core.upstream.HostSetListener}.
 */
package dev.egret.core.upstream;
