package dev.egret.core.config;

import dev.egret.core.listener.ListenerConfig;
import dev.egret.core.router.ClusterRuntime;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A compiled configuration: immutable runtime objects made from one bootstrap.
 *
 * @param bootstrap    the source, for {@code /config_dump}
 * @param loadedAt     when it was compiled
 * @param adminAddress where the admin server binds, or null
 * @param listeners    the listeners, in configuration order
 * @param clusters     clusters by name
 * @param overload     the overload manager and connection limits ({@code overload_manager},
 *                     {@code layered_runtime})
 */
public record RuntimeConfig(
    Bootstrap bootstrap,
    Instant loadedAt,
    InetSocketAddress adminAddress,
    List<ListenerConfig> listeners,
    Map<String, ClusterRuntime> clusters,
    dev.egret.core.overload.OverloadConfig overload) {
  /** Without overload settings ({@link dev.egret.core.overload.OverloadConfig#DEFAULT}). */
  public RuntimeConfig(Bootstrap bootstrap, Instant loadedAt, InetSocketAddress adminAddress,
      List<ListenerConfig> listeners, Map<String, ClusterRuntime> clusters) {
    this(bootstrap, loadedAt, adminAddress, listeners, clusters, dev.egret.core.overload.OverloadConfig.DEFAULT);
  }

  public RuntimeConfig {
    java.util.Objects.requireNonNull(overload, "overload");
    listeners = List.copyOf(listeners);
    clusters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(clusters));
  }
}
