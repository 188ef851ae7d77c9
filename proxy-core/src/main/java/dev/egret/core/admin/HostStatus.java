package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;

/**
 * One upstream host of a cluster as {@code /clusters} shows it.
 *
 * @param address the host's address as Envoy writes it, {@code 127.0.0.1:8080}
 * @param counters per-host counters by Envoy's name: {@code cx_total}, {@code cx_connect_fail},
 *     {@code rq_total}, {@code rq_error}, {@code rq_success}, {@code rq_timeout}
 * @param gauges per-host gauges: {@code cx_active}, {@code rq_active}
 * @param healthFlags Envoy's health flag text: {@code healthy}, or flags such as
 *     {@code /failed_active_hc}
 * @param weight load-balancing weight (1 when unset)
 * @param hostname the endpoint's hostname, empty when none
 * @param region locality region, empty when none
 * @param zone locality zone, empty when none
 * @param subZone locality sub-zone, empty when none
 * @param priority the endpoint's priority
 */
public record HostStatus(
    String address,
    Map<String, Long> counters,
    Map<String, Long> gauges,
    String healthFlags,
    int weight,
    String hostname,
    String region,
    String zone,
    String subZone,
    int priority) {

  public HostStatus {
    requireNonNull(address, "address");
    counters = copySorted(requireNonNull(counters, "counters"));
    gauges = copySorted(requireNonNull(gauges, "gauges"));
    requireNonNull(healthFlags, "healthFlags");
    requireNonNull(hostname, "hostname");
    requireNonNull(region, "region");
    requireNonNull(zone, "zone");
    requireNonNull(subZone, "subZone");
  }

  /**
   * A healthy host with no locality, priority 0, and Envoy's usual per-host stats.
   */
  public static HostStatus healthy(
      String address, int weight, long cxTotal, long cxActive, long rqTotal, long rqActive) {
    return new HostStatus(
        address,
        Map.of("cx_connect_fail", 0L, "cx_total", cxTotal, "rq_error", 0L, "rq_success", 0L,
            "rq_timeout", 0L, "rq_total", rqTotal),
        Map.of("cx_active", cxActive, "rq_active", rqActive),
        "healthy", weight, "", "", "", "", 0);
  }

  private static Map<String, Long> copySorted(Map<String, Long> in) {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(in));
  }
}
