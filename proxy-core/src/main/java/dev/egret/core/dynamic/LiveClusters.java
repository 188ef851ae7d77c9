package dev.egret.core.dynamic;

import static java.util.Objects.requireNonNull;

import dev.egret.core.router.ClusterRuntime;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The clusters routers look up by name, swapped as a whole: every read sees one immutable snapshot
 * (static clusters plus the active dynamic ones). Routers hold this map, not a copy, so a CDS update
 * reaches them without recompiling any route table. Reads are lock-free and may come from any thread.
 */
final class LiveClusters extends AbstractMap<String, ClusterRuntime> {
  private volatile Map<String, ClusterRuntime> snapshot;

  LiveClusters(Map<String, ClusterRuntime> initial) {
    this.snapshot = Collections.unmodifiableMap(new LinkedHashMap<>(initial));
  }

  /** Publishes a new snapshot (copied). */
  void set(Map<String, ClusterRuntime> next) {
    snapshot = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(next, "next")));
  }

  /** The current snapshot. */
  Map<String, ClusterRuntime> snapshot() {
    return snapshot;
  }

  @Override
  public ClusterRuntime get(Object key) {
    return snapshot.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return snapshot.containsKey(key);
  }

  @Override
  public Set<Entry<String, ClusterRuntime>> entrySet() {
    return snapshot.entrySet();
  }
}
