package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.egret.core.internal.InternalAddress;
import java.util.Map;

/**
 * A configured endpoint ({@code load_assignment...lb_endpoints[]}): a {@code socket_address} (an IP
 * literal for STATIC clusters, a DNS name or IP literal for DNS clusters) or an
 * {@code envoy_internal_address} naming an internal listener.
 *
 * @param address  the {@code socket_address.address} as written ("" for an internal endpoint)
 * @param port     1..65535 (0 for an internal endpoint)
 * @param weight   {@code load_balancing_weight}, default 1
 * @param internal the internal listener address, or null for a socket address
 * @param metadata the endpoint's {@code metadata.filter_metadata}, by namespace
 */
public record Endpoint(String address, int port, int weight, InternalAddress internal, Map<String, Struct> metadata) {
  public Endpoint {
    requireNonNull(address, "address");
    if (internal == null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
    metadata = Map.copyOf(metadata);
  }

  /** A socket-address endpoint without metadata. */
  public Endpoint(String address, int port, int weight) {
    this(address, port, weight, null, Map.of());
  }
}
