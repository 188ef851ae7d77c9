package dev.egret.controller;

import static java.util.Objects.requireNonNull;

/**
 * What the waypoint controller is: the {@code controllerName} of the GatewayClasses it serves, the image
 * its waypoint Deployments run, and the cluster DNS domain used for the Gateway's hostname address.
 *
 * @param controllerName a GatewayClass's {@code spec.controllerName} that marks it as Egret's
 * @param image the container image of every waypoint Deployment
 * @param clusterDomain the cluster's DNS domain ({@code cluster.local})
 */
public record ControllerConfig(String controllerName, String image, String clusterDomain) {

  /** The controllerName of the chart's {@code egret-waypoint} GatewayClass. */
  public static final String DEFAULT_CONTROLLER_NAME = "egret.dev/waypoint-controller";

  public ControllerConfig {
    requireNonNull(controllerName, "controllerName");
    requireNonNull(image, "image");
    requireNonNull(clusterDomain, "clusterDomain");
    if (controllerName.isBlank() || image.isBlank() || clusterDomain.isBlank()) {
      throw new IllegalArgumentException("controllerName, image and clusterDomain must not be blank");
    }
  }
}
