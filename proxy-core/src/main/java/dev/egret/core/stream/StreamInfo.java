package dev.egret.core.stream;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened to one HTTP stream (or one TCP connection): the facts the access log, stats and
 * policy read. Written only on the stream's event loop; once the stream has ended it is handed to the
 * access-log writer and never written again.
 *
 * <p>Request and response headers are kept in Netty's HTTP/1 form. HTTP/2 streams are converted to it
 * on decode, so {@code :authority} is the {@code host} header, {@code :path} the request URI and
 * {@code :method} the method.
 */
public final class StreamInfo {
  /** Epoch milliseconds when the stream started (the first request byte). */
  private final long startEpochMillis;
  /** {@link System#nanoTime()} at the start, for durations. */
  private final long startNanos;

  private String protocol = null; // "HTTP/1.1", "HTTP/2"; null for TCP
  private HttpRequest request; // nullable: TCP, or no headers decoded yet
  private HttpResponse response; // nullable until a response started
  private HttpHeaders responseTrailers; // nullable
  private String originalPath; // nullable; the path before a rewrite (x-envoy-original-path)
  private int responseCode; // 0 = none sent
  private final List<ResponseFlag> flags = new ArrayList<>(2);
  private String responseCodeDetails; // nullable
  private String connectionTerminationDetails; // nullable
  private long bytesReceived;
  private long bytesSent;
  private long endNanos = -1;
  private long upstreamHeadersNanos = -1;
  private String upstreamHost; // "ip:port", nullable
  private String upstreamClusterName; // nullable
  private String upstreamClusterAltStatName; // nullable
  private String upstreamLocalAddress; // nullable
  private String upstreamTransportFailureReason; // nullable
  private int attemptCount;
  private InetSocketAddress downstreamLocalAddress; // nullable
  private InetSocketAddress downstreamRemoteAddress; // nullable
  private InetSocketAddress downstreamDirectRemoteAddress; // nullable
  private String requestedServerName; // nullable
  private String routeName; // nullable
  private String downstreamPeerUriSan; // nullable
  private String downstreamLocalUriSan; // nullable
  private FilterState filterState; // lazily made, with the connection's as parent
  private DynamicMetadata dynamicMetadata; // lazily made, with the connection's as parent
  private FilterState connectionFilterState; // nullable
  private DynamicMetadata connectionMetadata; // nullable

  public StreamInfo(long startEpochMillis, long startNanos) {
    this.startEpochMillis = startEpochMillis;
    this.startNanos = startNanos;
  }

  public static StreamInfo startingNow() {
    return new StreamInfo(System.currentTimeMillis(), System.nanoTime());
  }

  // ---- flags and details ----

  /** Records a flag; a flag set twice is kept once, in the order first set. */
  public void setFlag(ResponseFlag flag) {
    if (!flags.contains(flag)) {
      flags.add(flag);
    }
  }


  public List<ResponseFlag> flags() {
    return flags;
  }

  public void setResponseCodeDetails(String details) {
    this.responseCodeDetails = details;
  }

  public String responseCodeDetails() {
    return responseCodeDetails;
  }

  public void setConnectionTerminationDetails(String details) {
    this.connectionTerminationDetails = details;
  }

  public String connectionTerminationDetails() {
    return connectionTerminationDetails;
  }

  // ---- time ----

  public long startEpochMillis() {
    return startEpochMillis;
  }

  public long startNanos() {
    return startNanos;
  }

  public void markEnd(long nanos) {
    if (endNanos < 0) {
      endNanos = nanos;
    }
  }

  /** Milliseconds from start to the end of the stream, or -1 while it is still running. */
  public long durationMillis() {
    return endNanos < 0 ? -1 : (endNanos - startNanos) / 1_000_000;
  }

  public void markUpstreamHeaders(long nanos) {
    upstreamHeadersNanos = nanos;
  }

  public long upstreamHeadersNanos() {
    return upstreamHeadersNanos;
  }

  // ---- request / response ----

  public String protocol() {
    return protocol;
  }

  public void setProtocol(String protocol) {
    this.protocol = protocol;
  }

  public HttpRequest request() {
    return request;
  }

  public void setRequest(HttpRequest request) {
    this.request = request;
  }

  public HttpResponse response() {
    return response;
  }

  public void setResponse(HttpResponse response) {
    this.response = response;
    this.responseCode = response.status().code();
  }

  public HttpHeaders responseTrailers() {
    return responseTrailers;
  }

  public void setResponseTrailers(HttpHeaders trailers) {
    this.responseTrailers = trailers;
  }

  public String originalPath() {
    return originalPath;
  }

  public void setOriginalPath(String originalPath) {
    this.originalPath = originalPath;
  }

  public int responseCode() {
    return responseCode;
  }

  public void setResponseCode(int responseCode) {
    this.responseCode = responseCode;
  }

  public long bytesReceived() {
    return bytesReceived;
  }

  public void addBytesReceived(long n) {
    bytesReceived += n;
  }

  public long bytesSent() {
    return bytesSent;
  }

  public void addBytesSent(long n) {
    bytesSent += n;
  }

  // ---- upstream ----

  public String upstreamHost() {
    return upstreamHost;
  }

  public void setUpstreamHost(String upstreamHost) {
    this.upstreamHost = upstreamHost;
  }

  public String upstreamClusterName() {
    return upstreamClusterName;
  }

  public String upstreamClusterAltStatName() {
    return upstreamClusterAltStatName;
  }

  public void setUpstreamCluster(String name, String altStatName) {
    this.upstreamClusterName = name;
    this.upstreamClusterAltStatName = altStatName;
  }

  public String upstreamLocalAddress() {
    return upstreamLocalAddress;
  }

  public void setUpstreamLocalAddress(String upstreamLocalAddress) {
    this.upstreamLocalAddress = upstreamLocalAddress;
  }

  public String upstreamTransportFailureReason() {
    return upstreamTransportFailureReason;
  }

  public void setUpstreamTransportFailureReason(String reason) {
    this.upstreamTransportFailureReason = reason;
  }

  public int attemptCount() {
    return attemptCount;
  }

  public void setAttemptCount(int attemptCount) {
    this.attemptCount = attemptCount;
  }

  // ---- downstream connection ----

  public InetSocketAddress downstreamLocalAddress() {
    return downstreamLocalAddress;
  }

  public InetSocketAddress downstreamRemoteAddress() {
    return downstreamRemoteAddress;
  }

  public InetSocketAddress downstreamDirectRemoteAddress() {
    return downstreamDirectRemoteAddress;
  }

  public void setDownstreamAddresses(InetSocketAddress local, InetSocketAddress remote) {
    this.downstreamLocalAddress = local;
    this.downstreamRemoteAddress = remote;
    this.downstreamDirectRemoteAddress = remote;
  }

  /** Replaces the remote address (PROXY protocol, XFF); the direct remote address stays. */
  public void setDownstreamRemoteAddress(InetSocketAddress remote) {
    this.downstreamRemoteAddress = remote;
  }

  public String requestedServerName() {
    return requestedServerName;
  }

  public void setRequestedServerName(String sni) {
    this.requestedServerName = sni;
  }

  public String routeName() {
    return routeName;
  }

  public void setRouteName(String routeName) {
    this.routeName = routeName;
  }

  public String downstreamPeerUriSan() {
    return downstreamPeerUriSan;
  }

  public void setDownstreamPeerUriSan(String san) {
    this.downstreamPeerUriSan = san;
  }

  public String downstreamLocalUriSan() {
    return downstreamLocalUriSan;
  }

  public void setDownstreamLocalUriSan(String san) {
    this.downstreamLocalUriSan = san;
  }

  // ---- filter state and dynamic metadata ----

  /** Makes the connection's filter state and metadata the parents of this stream's. */
  public void attachConnection(FilterState connectionState, DynamicMetadata connectionMetadata) {
    this.connectionFilterState = connectionState;
    this.connectionMetadata = connectionMetadata;
  }

  /** This stream's filter state (a lookup falls back to the connection's). */
  public FilterState filterState() {
    if (filterState == null) {
      filterState = new FilterState(connectionFilterState);
    }
    return filterState;
  }

  /** This stream's dynamic metadata (a lookup merges the connection's under it). */
  public DynamicMetadata dynamicMetadata() {
    if (dynamicMetadata == null) {
      dynamicMetadata = new DynamicMetadata(connectionMetadata);
    }
    return dynamicMetadata;
  }
}
