package dev.egret.xds;

import io.envoyproxy.envoy.config.core.v3.BuildVersion;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.type.v3.SemanticVersion;

/**
 * The {@code node} Egret sends on the ADS stream, as Envoy sends it: the bootstrap's node (id,
 * cluster, metadata, locality, …) with {@code user_agent_name} "egret", the build version and the
 * client features Egret has.
 */
final class NodeInfo {
  /** Egret applies EDS weights without overprovisioning (Envoy's feature name). */
  static final String NO_OVERPROVISIONING = "envoy.lb.does_not_support_overprovisioning";

  private NodeInfo() {}

  static Node of(Node fromBootstrap, String egretVersion) {
    Node.Builder b = fromBootstrap.toBuilder()
        .setUserAgentName("egret")
        .setUserAgentBuildVersion(BuildVersion.newBuilder().setVersion(semantic(egretVersion)));
    if (!b.getClientFeaturesList().contains(NO_OVERPROVISIONING)) {
      b.addClientFeatures(NO_OVERPROVISIONING);
    }
    return b.build();
  }

  /** {@code 1.2.3-SNAPSHOT} → 1.2.3; anything unparsable → 0.0.0. */
  static SemanticVersion semantic(String v) {
    String[] parts = v.split("[^0-9]+", -1);
    int[] n = new int[3];
    int k = 0;
    for (String p : parts) {
      if (!p.isEmpty() && k < 3) {
        try {
          n[k++] = Integer.parseInt(p);
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    return SemanticVersion.newBuilder().setMajorNumber(n[0]).setMinorNumber(n[1]).setPatch(n[2]).build();
  }
}
