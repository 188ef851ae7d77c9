package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

/**
 * A configured endpoint ({@code load_assignment...lb_endpoints[].endpoint.address.socket_address}):
 * an IP literal for STATIC clusters, a DNS name or IP literal for DNS clusters.
 *
 * @param address the {@code socket_address.address} as written
 * @param port    1..65535
 * @param weight  {@code load_balancing_weight}, default 1
 */
public record Endpoint(String address, int port, int weight) {
  public Endpoint {
    requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
  }
}
