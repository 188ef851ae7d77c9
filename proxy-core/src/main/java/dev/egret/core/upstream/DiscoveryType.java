package dev.egret.core.upstream;

/** How a cluster finds its hosts (Envoy's {@code Cluster.DiscoveryType} subset). */
public enum DiscoveryType {
  /** The endpoints are IP addresses given in the configuration. */
  STATIC,
  /** Every IP returned for every endpoint's DNS name is a host; refreshed in the background. */
  STRICT_DNS,
  /** One logical host whose address is the first IP returned for the single endpoint's name. */
  LOGICAL_DNS,
  /** The endpoints come from EDS ({@code ClusterLoadAssignment}s), IP addresses only. */
  EDS,
  /** Each request or connection goes where it was originally headed (see {@link OriginalDst}). */
  ORIGINAL_DST
}
