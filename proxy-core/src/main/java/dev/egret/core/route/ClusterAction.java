package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.List;

/**
 * A compiled {@code RouteAction}: which cluster to forward to, and what to change on the way.
 *
 * <p>Cluster choice ({@link #clusterName}) is one of: a fixed {@code cluster}; {@code
 * weighted_clusters}, picked as Envoy does — {@code random mod totalWeight} falls into the
 * intervals {@code [0, w1), [w1, w1+w2), …} in configuration order; or {@code cluster_header}, the
 * first value of that request header. A missing or empty header yields null: the caller answers
 * {@link #clusterNotFoundStatus()} (503 unless configured) with flag {@code NC}.
 */
public final class ClusterAction {
  private final String cluster;
  private final List<WeightedCluster> weighted;
  private final long totalWeight;
  private final String clusterHeader;
  private final int clusterNotFoundStatus;
  private final PathRewrite pathRewrite;
  private final String hostRewriteLiteral;
  private final boolean autoHostRewrite;
  private final Duration timeout;
  private final RetryPolicy retryPolicy; // nullable
  private final boolean includeRequestAttemptCount;
  private final boolean includeAttemptCountInResponse;
  private final Duration idleTimeout; // nullable
  private final Duration maxGrpcTimeout; // nullable: grpc-timeout not used
  private final Duration maxStreamDuration; // nullable
  private final ConnectUpgrade connectUpgrade;
  private final Duration grpcTimeoutHeaderMax; // nullable: grpc-timeout does not set the stream duration
  private final Duration grpcTimeoutHeaderOffset; // nullable

  ClusterAction(String cluster, List<WeightedCluster> weighted, String clusterHeader,
      int clusterNotFoundStatus, PathRewrite pathRewrite, String hostRewriteLiteral,
      boolean autoHostRewrite, Duration timeout, RetryPolicy retryPolicy, boolean includeRequestAttemptCount,
      boolean includeAttemptCountInResponse, Duration idleTimeout, Duration maxGrpcTimeout,
      Duration maxStreamDuration, ConnectUpgrade connectUpgrade) {
    this(cluster, weighted, clusterHeader, clusterNotFoundStatus, pathRewrite, hostRewriteLiteral, autoHostRewrite,
        timeout, retryPolicy, includeRequestAttemptCount, includeAttemptCountInResponse, idleTimeout, maxGrpcTimeout,
        maxStreamDuration, connectUpgrade, null, null);
  }

  ClusterAction(String cluster, List<WeightedCluster> weighted, String clusterHeader,
      int clusterNotFoundStatus, PathRewrite pathRewrite, String hostRewriteLiteral,
      boolean autoHostRewrite, Duration timeout, RetryPolicy retryPolicy, boolean includeRequestAttemptCount,
      boolean includeAttemptCountInResponse, Duration idleTimeout, Duration maxGrpcTimeout,
      Duration maxStreamDuration, ConnectUpgrade connectUpgrade, Duration grpcTimeoutHeaderMax,
      Duration grpcTimeoutHeaderOffset) {
    this.grpcTimeoutHeaderMax = grpcTimeoutHeaderMax;
    this.grpcTimeoutHeaderOffset = grpcTimeoutHeaderOffset;
    this.connectUpgrade = requireNonNull(connectUpgrade, "connectUpgrade");
    this.cluster = cluster;
    this.weighted = List.copyOf(weighted);
    this.totalWeight = this.weighted.stream().mapToLong(WeightedCluster::weight).sum();
    this.clusterHeader = clusterHeader;
    this.clusterNotFoundStatus = clusterNotFoundStatus;
    this.pathRewrite = pathRewrite;
    this.hostRewriteLiteral = hostRewriteLiteral;
    this.autoHostRewrite = autoHostRewrite;
    this.timeout = requireNonNull(timeout, "timeout");
    this.retryPolicy = retryPolicy;
    this.includeRequestAttemptCount = includeRequestAttemptCount;
    this.includeAttemptCountInResponse = includeAttemptCountInResponse;
    this.idleTimeout = idleTimeout;
    this.maxGrpcTimeout = maxGrpcTimeout;
    this.maxStreamDuration = maxStreamDuration;
  }

  /** The route's {@code max_stream_duration} (replacing the connection manager's; zero = off), or null. */
  public Duration maxStreamDuration() {
    return maxStreamDuration;
  }

  /**
   * The stream duration limit for this request, as {@code max_stream_duration} on the route says:
   * with {@code grpc_timeout_header_max} set and a {@code grpc-timeout} request header, the header's
   * value capped by the maximum (0 = no cap) less {@code grpc_timeout_header_offset} (never below
   * zero); otherwise the route's {@code max_stream_duration}. Null when the route sets neither (the
   * connection manager's limit stays). A zero result from the header means the limit is already
   * reached (1 ms); a zero {@code max_stream_duration} turns the limit off.
   */
  public Duration maxStreamDurationFor(HttpHeaders headers) {
    Duration grpc = grpcTimeoutHeaderMax == null ? null : GrpcTimeout.parse(headers.get("grpc-timeout"));
    if (grpc == null) {
      return maxStreamDuration;
    }
    if (!grpcTimeoutHeaderMax.isZero() && grpc.compareTo(grpcTimeoutHeaderMax) > 0) {
      grpc = grpcTimeoutHeaderMax;
    }
    if (!grpc.isZero() && grpcTimeoutHeaderOffset != null) {
      grpc = grpcTimeoutHeaderOffset.compareTo(grpc) < 0 ? grpc.minus(grpcTimeoutHeaderOffset) : Duration.ZERO;
    }
    return grpc.toMillis() <= 0 ? Duration.ofMillis(1) : grpc;
  }

  /**
   * The timeout for this request: the route's, or for a gRPC request on a route with
   * {@code max_grpc_timeout} its {@code grpc-timeout} header (none = no limit) capped by
   * {@code max_grpc_timeout} (0 = no cap). Zero means no timeout.
   */
  public Duration timeoutFor(io.netty.handler.codec.http.HttpHeaders headers) {
    if (maxGrpcTimeout == null) {
      return timeout;
    }
    String ct = headers.get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE);
    if (ct == null || !ct.startsWith("application/grpc")) {
      return timeout;
    }
    Duration grpc = GrpcTimeout.parse(headers.get("grpc-timeout"));
    if (grpc == null) {
      return maxGrpcTimeout; // no header: unlimited, capped by the maximum (0 = unlimited)
    }
    return maxGrpcTimeout.isZero() || grpc.compareTo(maxGrpcTimeout) < 0 ? grpc : maxGrpcTimeout;
  }

  /** The route's {@code upgrade_configs} entry for CONNECT ({@link ConnectUpgrade#INHERIT} when none). */
  public ConnectUpgrade connectUpgrade() {
    return connectUpgrade;
  }

  /** The route's {@code idle_timeout} (replacing the stream idle timeout; zero = off), or null. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** The retry policy (the route's, else its virtual host's), or null when requests are not retried. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Virtual host {@code include_request_attempt_count}: send {@code x-envoy-attempt-count} upstream. */
  public boolean includeRequestAttemptCount() {
    return includeRequestAttemptCount;
  }

  /** Virtual host {@code include_attempt_count_in_response}. */
  public boolean includeAttemptCountInResponse() {
    return includeAttemptCountInResponse;
  }

  /**
   * The cluster for this request, or null when {@code cluster_header} names no cluster.
   *
   * @param headers the request headers (read only for {@code cluster_header})
   * @param random  a uniformly random value (read only for weighted clusters), taken as unsigned
   */
  public String clusterName(HttpHeaders headers, long random) {
    if (cluster != null) {
      return cluster;
    }
    if (clusterHeader != null) {
      String v = headers.get(clusterHeader);
      return v == null || v.isEmpty() ? null : v;
    }
    return pickWeighted(random).name();
  }

  /**
   * The weighted-cluster entry for a random value: {@code random mod totalWeight} falls into the
   * intervals {@code [0, w1), [w1, w1+w2), …}; null when this action has no weighted clusters.
   */
  public WeightedCluster pickWeighted(long random) {
    if (weighted.isEmpty()) {
      return null;
    }
    long selected = Long.remainderUnsigned(random, totalWeight);
    long end = 0;
    for (WeightedCluster c : weighted) {
      end += c.weight();
      if (selected < end) {
        return c;
      }
    }
    throw new AssertionError("weights sum to " + totalWeight);
  }

  /** The fixed {@code cluster}, or null. */
  public String cluster() {
    return cluster;
  }

  /** {@code weighted_clusters}, or empty. */
  public List<WeightedCluster> weightedClusters() {
    return weighted;
  }

  /** The header {@code cluster_header} names (lower case), or null. */
  public String clusterHeader() {
    return clusterHeader;
  }

  /** Status when the cluster is unknown or not named: 503 (default), 404 or 500. */
  public int clusterNotFoundStatus() {
    return clusterNotFoundStatus;
  }

  /** Whether a path rewrite is configured; when so, the router also sets {@code x-envoy-original-path}. */
  public boolean rewritesPath() {
    return pathRewrite != null;
  }

  /**
   * The request target to send upstream: {@code prefix_rewrite} or {@code regex_rewrite} applied to
   * the path part, the query kept. Unchanged (the same instance) when no rewrite is configured.
   */
  public String rewritePath(String originalPathWithQuery) {
    return pathRewrite == null ? originalPathWithQuery : pathRewrite.apply(originalPathWithQuery);
  }

  /** {@code host_rewrite_literal}, or null. */
  public String hostRewriteLiteral() {
    return hostRewriteLiteral;
  }

  /** {@code auto_host_rewrite}: set the host to the chosen upstream host's hostname (DNS clusters). */
  public boolean autoHostRewrite() {
    return autoHostRewrite;
  }

  /** The route timeout; 15 s when unset, {@link Duration#ZERO} when disabled. */
  public Duration timeout() {
    return timeout;
  }
}
