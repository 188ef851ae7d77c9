package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import dev.egret.core.stats.HttpStats;
import dev.egret.core.stream.StreamInfo;
import java.util.List;
import java.util.function.Consumer;

/**
 * A compiled {@code envoy.filters.network.http_connection_manager}: everything a downstream HTTP
 * connection needs, immutable and shared by every connection of its filter chain.
 *
 * @param statPrefix              {@code stat_prefix}
 * @param stats                   the {@code http.<stat_prefix>.*} stats
 * @param filters                 the HTTP filters before the router, in order
 * @param router                  serves each request
 * @param codec                   which HTTP versions the listener speaks
 * @param serverName              value of the {@code server} response header
 * @param accessLogs              run once per finished stream, on the event loop (they only enqueue)
 * @param useRemoteAddress        {@code use_remote_address}
 * @param xffNumTrustedHops       {@code xff_num_trusted_hops}
 * @param normalizePath           {@code normalize_path}
 * @param mergeSlashes            {@code merge_slashes}
 * @param generateRequestId       {@code generate_request_id}
 * @param preserveExternalRequestId {@code preserve_external_request_id}
 * @param maxRequestHeadersBytes  {@code max_request_headers_kb} × 1024 (request line included)
 * @param maxHeadersCount         {@code common_http_protocol_options.max_headers_count}
 * @param requestHeadersTimeoutMillis {@code request_headers_timeout}; 0 = off
 * @param idleTimeoutMillis       connection idle timeout; 0 = off
 * @param http2                   HTTP/2 settings advertised to clients
 * @param streamIdleTimeoutMillis {@code stream_idle_timeout} (5 min by default); 0 = off
 * @param requestTimeoutMillis    {@code request_timeout}; 0 = off
 * @param maxStreamDurationMillis {@code common_http_protocol_options.max_stream_duration}; 0 = off
 * @param connectUpgrade          {@code upgrade_configs} holds an enabled {@code CONNECT} entry
 *                                (a route's {@code upgrade_configs} may override it)
 * @param allowConnect            {@code http2_protocol_options.allow_connect}: HTTP/2 CONNECT is
 *                                accepted (otherwise the stream is reset)
 * @param keepalive               {@code http2_protocol_options.connection_keepalive}
 * @param extras                  request mutations added later ({@code forward_client_cert_details},
 *                                {@code path_with_escaped_slashes_action})
 */
public record HcmConfig(
    String statPrefix,
    HttpStats stats,
    List<dev.egret.core.http.filter.HttpFilterFactory> filters,
    HttpRouter router,
    Codec codec,
    String serverName,
    List<Consumer<StreamInfo>> accessLogs,
    boolean useRemoteAddress,
    int xffNumTrustedHops,
    boolean normalizePath,
    boolean mergeSlashes,
    boolean generateRequestId,
    boolean preserveExternalRequestId,
    int maxRequestHeadersBytes,
    int maxHeadersCount,
    long requestHeadersTimeoutMillis,
    long idleTimeoutMillis,
    Http2Limits http2,
    long streamIdleTimeoutMillis,
    long requestTimeoutMillis,
    long maxStreamDurationMillis,
    boolean connectUpgrade,
    boolean allowConnect,
    Http2Keepalive keepalive,
    Extras extras) {

  /** As the canonical constructor, with {@link Extras#DEFAULT}. */
  public HcmConfig(String statPrefix, HttpStats stats, List<dev.egret.core.http.filter.HttpFilterFactory> filters,
      HttpRouter router, Codec codec, String serverName, List<Consumer<StreamInfo>> accessLogs,
      boolean useRemoteAddress, int xffNumTrustedHops, boolean normalizePath, boolean mergeSlashes,
      boolean generateRequestId, boolean preserveExternalRequestId, int maxRequestHeadersBytes,
      int maxHeadersCount, long requestHeadersTimeoutMillis, long idleTimeoutMillis, Http2Limits http2,
      long streamIdleTimeoutMillis, long requestTimeoutMillis, long maxStreamDurationMillis,
      boolean connectUpgrade, boolean allowConnect, Http2Keepalive keepalive) {
    this(statPrefix, stats, filters, router, codec, serverName, accessLogs, useRemoteAddress, xffNumTrustedHops,
        normalizePath, mergeSlashes, generateRequestId, preserveExternalRequestId, maxRequestHeadersBytes,
        maxHeadersCount, requestHeadersTimeoutMillis, idleTimeoutMillis, http2, streamIdleTimeoutMillis,
        requestTimeoutMillis, maxStreamDurationMillis, connectUpgrade, allowConnect, keepalive, Extras.DEFAULT);
  }

  /**
   * Request handling beyond the original set of fields.
   *
   * @param forwardClientCert {@code forward_client_cert_details} + {@code set_current_client_cert_details}
   * @param escapedSlashes    {@code path_with_escaped_slashes_action}
   */
  public record Extras(ForwardClientCert forwardClientCert, EscapedSlashesAction escapedSlashes) {
    /** Envoy's defaults: XFCC sanitised, escaped slashes kept. */
    public static final Extras DEFAULT = new Extras(ForwardClientCert.SANITIZE, EscapedSlashesAction.KEEP_UNCHANGED);

    public Extras {
      requireNonNull(forwardClientCert, "forwardClientCert");
      requireNonNull(escapedSlashes, "escapedSlashes");
    }
  }

  /** A connection manager without CONNECT and without HTTP/2 keep-alive. */
  public HcmConfig(String statPrefix, HttpStats stats, List<dev.egret.core.http.filter.HttpFilterFactory> filters,
      HttpRouter router, Codec codec, String serverName, List<Consumer<StreamInfo>> accessLogs,
      boolean useRemoteAddress, int xffNumTrustedHops, boolean normalizePath, boolean mergeSlashes,
      boolean generateRequestId, boolean preserveExternalRequestId, int maxRequestHeadersBytes,
      int maxHeadersCount, long requestHeadersTimeoutMillis, long idleTimeoutMillis, Http2Limits http2,
      long streamIdleTimeoutMillis, long requestTimeoutMillis, long maxStreamDurationMillis) {
    this(statPrefix, stats, filters, router, codec, serverName, accessLogs, useRemoteAddress, xffNumTrustedHops,
        normalizePath, mergeSlashes, generateRequestId, preserveExternalRequestId, maxRequestHeadersBytes,
        maxHeadersCount, requestHeadersTimeoutMillis, idleTimeoutMillis, http2, streamIdleTimeoutMillis,
        requestTimeoutMillis, maxStreamDurationMillis, false, false, Http2Keepalive.OFF);
  }

  public HcmConfig {
    requireNonNull(keepalive, "keepalive");
    requireNonNull(extras, "extras");
    requireNonNull(statPrefix, "statPrefix");
    requireNonNull(stats, "stats");
    filters = List.copyOf(filters);
    requireNonNull(router, "router");
    requireNonNull(codec, "codec");
    requireNonNull(serverName, "serverName");
    accessLogs = List.copyOf(accessLogs);
    requireNonNull(http2, "http2");
  }

  /** {@code codec_type}. */
  public enum Codec {
    AUTO,
    HTTP1,
    HTTP2
  }

  /**
   * HTTP/2 settings for downstream connections (hardening.md §1 defaults).
   *
   * @param floods the abuse limits {@link Http2Guards} enforces (hardening.md §3)
   */
  public record Http2Limits(long maxConcurrentStreams, int initialStreamWindow, int initialConnectionWindow,
      Http2FloodLimits floods) {
    /** With the default flood limits. */
    public Http2Limits(long maxConcurrentStreams, int initialStreamWindow, int initialConnectionWindow) {
      this(maxConcurrentStreams, initialStreamWindow, initialConnectionWindow, Http2FloodLimits.DEFAULT);
    }

    public static final Http2Limits DEFAULT = new Http2Limits(100, 64 * 1024, 1024 * 1024);
    /**
     * Defaults of a connection manager that accepts HTTP/2 CONNECT (an HBONE server): ztunnel's
     * 4 MiB stream and 16 MiB connection windows (hbone.md §4.2), so long-fat tunnels do not stall.
     */
    public static final Http2Limits CONNECT_DEFAULT = new Http2Limits(100, 4 * 1024 * 1024, 16 * 1024 * 1024);
  }
}
