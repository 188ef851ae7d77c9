package dev.egret.core.upstream;

import java.util.List;

/**
 * Told when a cluster's membership changes, e.g. so that connection pools close their connections to
 * hosts that left. Called on the cluster's DNS event loop, after the new snapshot is visible through
 * {@link UpstreamCluster#hosts()}; implementations hand work to their own event loops and return
 * quickly. Not called when a LOGICAL_DNS host only moves to a new address.
 */
@FunctionalInterface
public interface HostSetListener {
  void onHostsChanged(HostSet current, List<Host> added, List<Host> removed);
}
