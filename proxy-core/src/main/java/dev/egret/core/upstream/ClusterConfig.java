package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.time.Duration;
import java.util.List;

/**
 * A cluster's compiled, immutable configuration (from an Envoy {@link Cluster}); see
 * {@link ClusterCompiler} for what is accepted.
 *
 * @param name                         {@code name}
 * @param altStatName                  {@code alt_stat_name}, empty when unset
 * @param type                         discovery type
 * @param connectTimeout               {@code connect_timeout} (default 5 s)
 * @param lbPolicy                     {@code lb_policy}
 * @param choiceCount                  {@code least_request_lb_config.choice_count} (default 2)
 * @param endpoints                    the configured endpoints, in order
 * @param dns                          DNS refresh settings (used by DNS clusters only)
 * @param httpProtocol                 upstream HTTP protocol options
 * @param perConnectionBufferLimitBytes {@code per_connection_buffer_limit_bytes} (default 1 MiB)
 * @param transportSocket              {@code transport_socket} as configured, or null (plaintext)
 * @param tlsContext                   its unpacked {@code UpstreamTlsContext}, or null when not TLS
 * @param source                       the proto this was compiled from (for config dumps)
 * @param outlierDetection             {@code outlier_detection}, or null when not configured
 * @param healthyPanicThreshold        {@code common_lb_config.healthy_panic_threshold} in percent
 * @param circuitBreakers              the default-priority {@code circuit_breakers} limits
 *                                     (default 50; 0 disables panic mode)
 * @param internalUpstream             the {@code internal_upstream} transport socket, or null
 * @param originalDst                  an ORIGINAL_DST cluster's settings, or null for other types
 */
public record ClusterConfig(String name, String altStatName, DiscoveryType type, Duration connectTimeout,
    LbPolicy lbPolicy, int choiceCount, List<Endpoint> endpoints, DnsSettings dns,
    UpstreamHttpProtocol httpProtocol, int perConnectionBufferLimitBytes, TransportSocket transportSocket,
    UpstreamTlsContext tlsContext, Cluster source, OutlierDetection outlierDetection,
    double healthyPanicThreshold,
    CircuitBreakers.Limits circuitBreakers, InternalUpstream internalUpstream, OriginalDst originalDst) {
  /** Envoy's default {@code healthy_panic_threshold}. */
  public static final double DEFAULT_HEALTHY_PANIC_THRESHOLD = 50.0;

  public ClusterConfig {
    requireNonNull(name, "name");
    requireNonNull(altStatName, "altStatName");
    requireNonNull(type, "type");
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(lbPolicy, "lbPolicy");
    endpoints = List.copyOf(endpoints);
    requireNonNull(dns, "dns");
    requireNonNull(httpProtocol, "httpProtocol");
    requireNonNull(source, "source");
  }

  /** The name stats are kept under: {@code alt_stat_name} when set, else {@code name}. */
  public String statName() {
    return altStatName.isEmpty() ? name : altStatName;
  }
}
