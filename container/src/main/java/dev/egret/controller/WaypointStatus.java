package dev.egret.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddressBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The status Egret's controller writes, as pure functions of what it observed. A Gateway's
 * {@code status.addresses} (the Service's ClusterIP and its cluster hostname) is what makes istiod treat
 * the Gateway as a waypoint (istio-waypoint-xds.md §12). Listeners other than {@code HBONE} on 15008 are
 * not accepted. A condition keeps its {@code lastTransitionTime} while its status does not change.
 */
public final class WaypointStatus {

  /** The one listener a waypoint serves: ztunnel's HBONE port. */
  public static final int HBONE_PORT = 15008;
  public static final String HBONE = "HBONE";

  private WaypointStatus() {}

  /** The Gateway's status given its Service ({@code null} while not created yet). */
  public static GatewayStatus gateway(Gateway gw, Service service, String clusterDomain, Instant now) {
    GatewayStatus old = gw.getStatus();
    Long generation = gw.getMetadata().getGeneration();
    List<GatewayStatusAddress> addresses = new ArrayList<>();
    if (service != null) {
      String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
      if (ip != null && !ip.isBlank() && !"None".equals(ip)) {
        addresses.add(new GatewayStatusAddressBuilder().withType("IPAddress").withValue(ip).build());
      }
      addresses.add(new GatewayStatusAddressBuilder().withType("Hostname")
          .withValue(service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc."
              + clusterDomain)
          .build());
    }
    List<ListenerStatus> listeners = new ArrayList<>();
    boolean anyValid = false;
    List<Listener> specListeners = gw.getSpec() == null || gw.getSpec().getListeners() == null
        ? List.of() : gw.getSpec().getListeners();
    for (Listener l : specListeners) {
      boolean valid = HBONE.equals(l.getProtocol()) && Objects.equals(l.getPort(), HBONE_PORT);
      anyValid |= valid;
      List<Condition> previous = old == null || old.getListeners() == null ? List.of()
          : old.getListeners().stream().filter(s -> l.getName().equals(s.getName()))
              .flatMap(s -> s.getConditions() == null ? java.util.stream.Stream.empty() : s.getConditions().stream())
              .toList();
      List<Condition> conditions = valid
          ? List.of(
              condition(previous, "Accepted", true, "Accepted", "HBONE listener", generation, now),
              condition(previous, "Programmed", service != null, service != null ? "Programmed" : "Pending",
                  service != null ? "served by the waypoint Deployment" : "waiting for the waypoint Service",
                  generation, now),
              condition(previous, "ResolvedRefs", true, "ResolvedRefs", "no references", generation, now))
          : List.of(
              condition(previous, "Accepted", false, "UnsupportedProtocol",
                  "an Egret waypoint serves only protocol HBONE on port " + HBONE_PORT, generation, now),
              condition(previous, "Programmed", false, "Invalid", "listener not accepted", generation, now),
              condition(previous, "ResolvedRefs", true, "ResolvedRefs", "no references", generation, now));
      listeners.add(new ListenerStatusBuilder().withName(l.getName()).withAttachedRoutes(0)
          .withSupportedKinds(List.of()).withConditions(conditions).build());
    }
    List<Condition> previous = old == null || old.getConditions() == null ? List.of() : old.getConditions();
    boolean programmed = anyValid && service != null;
    List<Condition> conditions = List.of(
        condition(previous, "Accepted", anyValid, anyValid ? "Accepted" : "ListenersNotValid",
            anyValid ? "Egret waypoint" : "no listener with protocol HBONE on port " + HBONE_PORT, generation, now),
        condition(previous, "Programmed", programmed, programmed ? "Programmed" : anyValid ? "Pending" : "Invalid",
            programmed ? "addresses assigned from Service " + service.getMetadata().getName()
                : "waypoint Service not ready", generation, now));
    GatewayStatus status = new GatewayStatus();
    status.setAddresses(addresses);
    status.setConditions(conditions);
    status.setListeners(listeners);
    return status;
  }

  /** The status of a GatewayClass whose controllerName is Egret's: accepted. */
  public static GatewayClassStatus gatewayClass(GatewayClass gc, Instant now) {
    List<Condition> previous = gc.getStatus() == null || gc.getStatus().getConditions() == null
        ? List.of() : gc.getStatus().getConditions();
    GatewayClassStatus status = new GatewayClassStatus();
    status.setConditions(List.of(condition(previous, "Accepted", true, "Accepted",
        "handled by the Egret waypoint controller", gc.getMetadata().getGeneration(), now)));
    return status;
  }

  private static Condition condition(List<Condition> previous, String type, boolean ok, String reason,
      String message, Long generation, Instant now) {
    String status = ok ? "True" : "False";
    String since = previous.stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(Condition::getLastTransitionTime).findFirst().orElse(now.toString());
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since).build();
  }
}
