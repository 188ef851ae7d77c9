package dev.egret.core.internal;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * Envoy's {@code envoy_internal_address}: a listener reached in process by name, with an optional
 * endpoint id that tells apart several endpoints naming the same listener (Istio puts the pod's
 * {@code ip:port} there). Printed as Envoy prints it: {@code envoy://LISTENER/ENDPOINT_ID}.
 */
public final class InternalAddress extends SocketAddress {
  private static final long serialVersionUID = 1L;

  private final String listenerName;
  private final String endpointId;

  /**
   * @param listenerName the internal listener's name
   * @param endpointId   the endpoint id, or "" for none
   */
  public InternalAddress(String listenerName, String endpointId) {
    this.listenerName = requireNonNull(listenerName, "listenerName");
    this.endpointId = requireNonNull(endpointId, "endpointId");
  }

  public String listenerName() {
    return listenerName;
  }

  public String endpointId() {
    return endpointId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InternalAddress a && a.listenerName.equals(listenerName) && a.endpointId.equals(endpointId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(listenerName, endpointId);
  }

  @Override
  public String toString() {
    return "envoy://" + listenerName + "/" + endpointId;
  }
}
