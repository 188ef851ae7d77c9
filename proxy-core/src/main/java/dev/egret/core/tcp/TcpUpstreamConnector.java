package dev.egret.core.tcp;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import dev.egret.core.upstream.Host;
import io.netty.channel.EventLoop;

/**
 * How {@code tcp_proxy} reaches the host its cluster's load balancer chose: a direct TCP/TLS
 * connection ({@link DirectTcpConnector}), or (later) a tunnel such as HBONE. The seam keeps the
 * byte pumping, timeouts and access logging of {@link TcpProxySession} independent of the transport.
 */
public interface TcpUpstreamConnector {
  /**
   * Starts connecting; calls exactly one of {@code callback}'s methods later (or at once), on
   * {@link ConnectRequest#loop()}. Counts the cluster's connection stats and honours its circuit
   * breakers ({@code max_connections} → {@link ResponseFlag#UPSTREAM_OVERFLOW}).
   */
  void connect(ConnectRequest request, Callback callback);

  /**
   * One connection attempt.
   *
   * @param cluster          the cluster (transport socket, connect timeout, breakers, stats)
   * @param host             the host chosen by its load balancer
   * @param loop             the downstream connection's event loop, where the upstream must live
   * @param downstream       the downstream connection's facts (filter state for tunnels)
   * @param info             the connection's stream info
   * @param bufferLimitBytes the write high-water mark for the upstream connection
   */
  record ConnectRequest(ClusterRuntime cluster, Host host, EventLoop loop, ConnectionInfo downstream,
      StreamInfo info, int bufferLimitBytes) {
    public ConnectRequest {
      requireNonNull(cluster, "cluster");
      requireNonNull(host, "host");
      requireNonNull(loop, "loop");
      requireNonNull(downstream, "downstream");
      requireNonNull(info, "info");
    }
  }

  /** The outcome of a connection attempt. */
  interface Callback {
    void onConnected(TcpUpstream upstream);

    /**
     * The attempt failed.
     *
     * @param flag                   {@code UF} (connect failure, incl. TLS and timeout) or {@code UO}
     *                               (circuit breaker)
     * @param transportFailureReason Envoy's {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%} text, or null
     */
    void onFailure(ResponseFlag flag, String transportFailureReason);
  }
}
