package dev.egret.core.pool;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.ClusterStats;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Function;

/**
 * What a {@link ConnectionPool} needs to know about its cluster and host.
 *
 * @param protocol          the HTTP version upstream
 * @param tls               makes the TLS handler for a new connection, or null for plaintext
 * @param connectTimeoutMillis TCP + TLS connect budget
 * @param idleTimeoutMillis how long an unused connection stays open (0 = forever)
 * @param stats             the cluster's stats
 * @param failures          maps a connect/handshake failure to Envoy's reset reason and transport text
 * @param observer          told when a connection opens and closes (per-host counters)
 * @param breakers          the cluster's circuit breakers (connections, pending requests)
 */
public record PoolSettings(
    UpstreamProtocol protocol,
    Function<ByteBufAllocator, SslHandler> tls,
    long connectTimeoutMillis,
    long idleTimeoutMillis,
    ClusterStats stats,
    ConnectFailures failures,
    ConnectionObserver observer,
    dev.egret.core.upstream.CircuitBreakers breakers) {
  public PoolSettings {
    requireNonNull(protocol, "protocol");
    requireNonNull(stats, "stats");
    requireNonNull(failures, "failures");
    requireNonNull(observer, "observer");
    requireNonNull(breakers, "breakers");
  }

  /** Watches connections come and go. */
  public interface ConnectionObserver {
    void opened();

    void closed();
  }

  /** Classifies why a connection could not be established. */
  public interface ConnectFailures {
    ResetReason resetReason(Throwable cause);

    /** Envoy's {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%} text, or null. */
    String transportFailureReason(Throwable cause);
  }
}
