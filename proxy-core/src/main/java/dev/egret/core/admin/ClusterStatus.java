package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One cluster as {@code /clusters} shows it.
 *
 * @param name the cluster name (also printed as its {@code observability_name})
 * @param addedViaApi false for bootstrap (static) clusters, true for CDS ones
 * @param defaultPriority circuit-breaker limits of the default priority
 * @param highPriority circuit-breaker limits of the high priority
 * @param edsServiceName the EDS service name, empty when the cluster is not EDS or uses its own name
 * @param hosts the cluster's current hosts, in priority then endpoint order
 */
public record ClusterStatus(
    String name,
    boolean addedViaApi,
    CircuitBreakerThresholds defaultPriority,
    CircuitBreakerThresholds highPriority,
    String edsServiceName,
    List<HostStatus> hosts) {

  public ClusterStatus {
    requireNonNull(name, "name");
    requireNonNull(defaultPriority, "defaultPriority");
    requireNonNull(highPriority, "highPriority");
    requireNonNull(edsServiceName, "edsServiceName");
    hosts = List.copyOf(hosts);
  }

  /** A cluster with Envoy's default circuit breakers and no EDS service name. */
  public static ClusterStatus of(String name, boolean addedViaApi, List<HostStatus> hosts) {
    return new ClusterStatus(name, addedViaApi, CircuitBreakerThresholds.DEFAULTS,
        CircuitBreakerThresholds.DEFAULTS, "", hosts);
  }
}
