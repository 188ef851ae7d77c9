package dev.egret.core.http;

import static java.util.Objects.requireNonNull;

import dev.egret.core.overload.OverloadManagerRuntime;
import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.route.RouteEntry;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * One downstream HTTP stream, as a channel handler: on HTTP/1.1 it ends the connection's pipeline and
 * serves one request after another; on HTTP/2 each stream's child channel has its own. Both see
 * HTTP/1-style objects ({@code HttpRequest}, {@code HttpContent}, {@code LastHttpContent}).
 *
 * <p>It does what Envoy's connection manager does before the router: checks the request, strips
 * hop-by-hop and untrusted {@code x-envoy-*} headers, normalises the path, sets {@code x-request-id} and
 * {@code x-forwarded-proto}, then hands the request to the {@link HttpRouter}. It writes the response
 * back with the {@code server} header and correct HTTP/1.1 framing, records everything in a
 * {@link StreamInfo}, and runs the access logs when the stream ends.
 *
 * <p>Reads are explicit ({@code autoRead} off): the next piece of a request body is read only when
 * the router asks ({@link #readMoreRequest()}), which is how upstream backpressure reaches the client.
 */
public final class DownstreamStream extends ChannelInboundHandlerAdapter
    implements HttpFilterCallbacks, StreamTimers.Expiry {
  /** Request headers a client may not use to steer Egret (router.md §1.3): always removed. */
  private static final List<String> UNTRUSTED_ENVOY_HEADERS = List.of(
      "x-envoy-internal", "x-envoy-retriable-status-codes", "x-envoy-retriable-header-names",
      "x-envoy-retry-on", "x-envoy-retry-grpc-on", "x-envoy-max-retries",
      "x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-timeout-ms",
      "x-envoy-upstream-rq-per-try-timeout-ms", "x-envoy-upstream-rq-timeout-alt-response",
      "x-envoy-expected-rq-timeout-ms", "x-envoy-force-trace", "x-envoy-ip-tags",
      "x-envoy-original-url", "x-envoy-hedge-on-per-try-timeout");

  /** {@link #prepare} asks for a 307 to the (unescaped, normalised) path. */
  private static final String REDIRECT_TO_NORMALIZED_PATH = new String("redirect");

  private final HcmConfig config;
  private final ConnectionInfo connection;
  private final boolean http2;
  private ChannelHandlerContext ctx;

  // state of the current stream
  private StreamInfo info;
  private HttpRequest request;
  private RequestHandler handler; // null while no router owns the request
  private boolean requestComplete;
  private boolean responseStarted;
  private boolean responseComplete;
  private boolean closeAfterResponse;
  private boolean requestBodyExpected;
  private boolean streamActive;
  private final ArrayDeque<Object> pipelined = new ArrayDeque<>(); // HTTP/1.1 requests read early
  // the HTTP filter chain of the current stream
  private HttpFilter[] filters = NO_FILTERS;
  private int nextFilter;
  private boolean filtersWaiting; // a filter returned STOP and has not continued yet
  private final ArrayDeque<HttpContent> heldBody = new ArrayDeque<>(2); // body read while filters wait
  private LastHttpContent heldEnd;
  private RouteEntry route;
  private boolean routeResolved;
  private java.util.function.Consumer<HttpHeaders> responseHeadersMutator; // the router's, per stream
  private HttpRouter streamRouter; // the route table this stream started with (RDS may swap the HCM's)
  private static final HttpFilter[] NO_FILTERS = new HttpFilter[0];
  private StreamTimers timers;
  private boolean draining;
  private boolean tunnel; // a terminated CONNECT: each direction ends on its own
  private long downstreamResetCode = -1; // RST_STREAM code from the client, -1 when none

  public DownstreamStream(HcmConfig config, ConnectionInfo connection, boolean http2) {
    this.config = requireNonNull(config);
    this.connection = requireNonNull(connection);
    this.http2 = http2;
  }

  // ---------------------------------------------------------------- API for the router

  public HcmConfig config() {
    return config;
  }

  public StreamInfo info() {
    return info;
  }

  public ConnectionInfo connection() {
    return connection;
  }

  public EventLoop eventLoop() {
    return ctx.channel().eventLoop();
  }

  public ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  public boolean isHttp2() {
    return http2;
  }

  public boolean requestComplete() {
    return requestComplete;
  }

  /** Whether the request announced a body (HTTP/1.1 framing, or no END_STREAM on HTTP/2 headers). */
  public boolean requestBodyExpected() {
    return requestBodyExpected;
  }

  public boolean responseStarted() {
    return responseStarted;
  }

  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  /** Asks for the next piece of the request body (no-op once the request is complete). */
  public void readMoreRequest() {
    if (!requestComplete && streamActive) {
      ctx.read();
      if (http2) {
        // reading returns flow-control credit: the WINDOW_UPDATE must leave now, not with the next
        // write on the connection (a read triggered by upstream writability has none to ride on)
        flushHttp2Connection();
      }
    }
  }

  /** Starts the response: adds {@code server}, fixes HTTP/1.1 framing, writes the headers. */
  public void sendResponseHeaders(HttpResponse response) {
    if (!streamActive || responseComplete) {
      return;
    }
    int code = response.status().code();
    HttpHeaders h = response.headers();
    HopByHop.strip(h);
    if (response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
      // 1xx: forwarded to HTTP/1.1 clients only when they asked for it (100-continue is answered by us)
      ReferenceCountUtil.release(response);
      return;
    }
    if (responseHeadersMutator != null) {
      info.setResponse(response); // so that %RESPONSE_CODE% and %RESP(...)% in values see this response
      responseHeadersMutator.accept(h); // the route's response_headers_to_add/remove, before the filters
    }
    h.set(HttpHeaderNames.SERVER, config.serverName());
    timers.activity();
    for (int i = Math.min(nextFilter, filters.length) - 1; i >= 0; i--) {
      filters[i].onResponseHeaders(this, response);
    }
    responseStarted = true;
    info.setResponse(response);
    if (!http2) {
      frameHttp1(response, code);
    }
    boolean whole = response instanceof LastHttpContent;
    if (whole) {
      countSent((LastHttpContent) response); // before the write: the encoder may consume the body at once
    }
    ctx.write(response, ctx.voidPromise());
    if (whole) {
      finishResponse();
    }
  }

  /** Flushes what was written (e.g. response headers that must leave before any body). */
  public void flush() {
    ctx.flush();
    if (http2) {
      flushHttp2Connection();
    }
  }

  /**
   * Flushes the HTTP/2 connection under this stream: a stream channel skips its own flush while the
   * connection is in a read loop, and the connection flushes at read-complete only when a stream
   * received a frame in that loop; writes made in reaction to another stream's or connection's
   * event would otherwise wait.
   */
  private void flushHttp2Connection() {
    Channel parent = ctx.channel().parent();
    if (parent != null) {
      parent.flush();
    }
  }

  public void sendResponseData(HttpContent content) {
    if (!streamActive || responseComplete) {
      content.release();
      return;
    }
    countSent(content);
    timers.activity();
    ctx.writeAndFlush(content, ctx.voidPromise());
    if (http2 && tunnel) {
      flushHttp2Connection();
    }
  }

  public void sendResponseEnd(LastHttpContent last) {
    if (!streamActive || responseComplete) {
      last.release();
      return;
    }
    countSent(last);
    ctx.write(last, ctx.voidPromise());
    finishResponse();
  }

  /**
   * Answers with a response Egret makes itself. {@code details} is the
   * {@code %RESPONSE_CODE_DETAILS%} value; {@code flag} may be null.
   */
  public void sendLocalReply(int status, String body, String details, ResponseFlag flag) {
    sendLocalReply(status, body, details, flag, null);
  }

  /** As {@link #sendLocalReply(int, String, String, ResponseFlag)}, with extra response headers. */
  public void sendLocalReply(int status, String body, String details, ResponseFlag flag, HttpHeaders extra) {
    if (!streamActive || responseStarted) {
      return;
    }
    if (flag != null) {
      info.setFlag(flag);
    }
    info.setResponseCodeDetails(details);
    if (HttpMethod.CONNECT.equals(request.method())) {
      body = ""; // a refused CONNECT is one HEADERS frame with END_STREAM (hbone.md §7.2)
    }
    FullHttpResponse r = LocalReply.build(request, status, body, ctx.alloc());
    if (extra != null) {
      r.headers().add(extra);
    }
    sendResponseHeaders(r);
  }

  /**
   * Installs the change the router makes to every response of this stream (the chosen route's
   * {@code response_headers_to_add/remove}), upstream answers and local replies alike; applied
   * before the HTTP filters see the response. Null removes it.
   */
  public void setResponseHeadersMutator(java.util.function.Consumer<HttpHeaders> mutator) {
    this.responseHeadersMutator = mutator;
  }

  /**
   * Abandons a stream whose response already started: an HTTP/2 stream is reset, an HTTP/1.1
   * connection closed (its framing cannot be completed).
   */
  public void resetStream() {
    if (!streamActive) {
      return;
    }
    endStream();
    ctx.channel().close();
  }

  /**
   * Makes this stream a terminated CONNECT tunnel (the router's CONNECT mode): the response may end
   * (an empty DATA frame with END_STREAM) while the client keeps sending, and the stream ends when
   * both directions have ended or it is reset.
   */
  public void markTunnel() {
    tunnel = true;
  }

  /** The error code of the client's RST_STREAM that ended this stream, or -1. */
  public long downstreamResetCode() {
    return downstreamResetCode;
  }

  /**
   * Aborts a tunnel whose upstream failed after the 200: RST_STREAM(CONNECT_ERROR) on HTTP/2
   * (RFC 9113 §8.5), a close on HTTP/1.1.
   */
  public void resetTunnel() {
    if (!streamActive) {
      return;
    }
    if (http2) {
      endStream();
      ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2ResetFrame(
          io.netty.handler.codec.http2.Http2Error.CONNECT_ERROR));
      return;
    }
    resetStream();
  }

  // ---------------------------------------------------------------- channel events

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timers = new StreamTimers(ctx.executor(), this);
    if (ctx.channel().isActive()) {
      ctx.read(); // installed after the handshake or the protocol sniff: start reading now
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!pipelined.isEmpty() || (msg instanceof HttpRequest && streamActive)) {
      // HTTP/1.1 pipelining: a request read while another is served waits, with everything after it
      pipelined.add(msg);
      return;
    }
    dispatch(msg);
  }

  /**
   * Serves queued pipelined messages in order: the body parts of the current request, then the next
   * request once the current stream is over. Not re-entered (a stream ending inside the loop leaves
   * the next message to the loop), so a long pipeline does not deepen the stack.
   */
  private void drainPipelined() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!pipelined.isEmpty() && ctx.channel().isActive()) {
        if (pipelined.peek() instanceof HttpRequest && streamActive) {
          return;
        }
        dispatch(pipelined.poll());
      }
    } finally {
      draining = false;
    }
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpContent c && !(msg instanceof HttpRequest) && c.decoderResult().isFailure()) {
      c.release();
      rejectMalformedBody(c.decoderResult().cause());
      return;
    }
    if (msg instanceof HttpRequest req) {
      onRequestHeaders(req);
      if (msg instanceof LastHttpContent last) {
        onRequestEnd(last, false);
      }
      return;
    }
    if (msg instanceof LastHttpContent last) {
      onRequestEnd(last, true);
      return;
    }
    if (msg instanceof HttpContent content) {
      if (streamActive && filtersWaiting) {
        info.addBytesReceived(content.content().readableBytes());
        heldBody.add(content); // at most one read's worth: no more is read while filters wait
        return;
      }
      if (!streamActive || handler == null) {
        content.release();
        readMoreRequest(); // discard the rest of a locally answered request
        return;
      }
      info.addBytesReceived(content.content().readableBytes());
      timers.activity();
      handler.onRequestData(content);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (handler != null && streamActive) {
      handler.onDownstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      downstreamResetCode = reset.errorCode();
      clientGone(ResponseFlag.DOWNSTREAM_REMOTE_RESET);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    clientGone(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION);
    timers.shutdown();
    while (!pipelined.isEmpty()) {
      ReferenceCountUtil.release(pipelined.poll());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (streamActive && !responseStarted) {
      info.setFlag(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
    }
    ctx.close();
  }

  // ---------------------------------------------------------------- request side

  private void onRequestHeaders(HttpRequest req) {
    info = StreamInfo.startingNow();
    info.setProtocol(http2 ? "HTTP/2" : req.protocolVersion().text());
    info.setDownstreamAddresses(connection.local(), connection.directRemote());
    info.setDownstreamRemoteAddress(connection.remote()); // PROXY protocol / original_dst may differ
    info.setRequestedServerName(connection.sni());
    info.setDownstreamPeerUriSan(connection.peerUriSan());
    info.setDownstreamLocalUriSan(connection.localUriSan());
    info.attachConnection(connection.filterState(), connection.dynamicMetadata());
    request = req;
    requestComplete = false;
    responseStarted = false;
    responseComplete = false;
    handler = null;
    streamActive = true;
    route = null;
    routeResolved = false;
    responseHeadersMutator = null;
    streamRouter = null;
    info.setRequest(req);
    timers.start(config.streamIdleTimeoutMillis(), config.requestTimeoutMillis(), config.maxStreamDurationMillis());
    config.stats().downstreamRqTotal.inc();
    config.stats().downstreamRqActive.inc();
    (http2 ? config.stats().downstreamRqHttp2Total : config.stats().downstreamRqHttp1Total).inc();
    RequestHeadersTimer timer = ctx.pipeline().get(RequestHeadersTimer.class);
    if (timer != null) {
      timer.headersReceived();
    }

    DecoderResult dr = req.decoderResult();
    if (dr.isFailure()) {
      rejectMalformed(dr.cause());
      return;
    }
    requestBodyExpected = http2 ? !(req instanceof LastHttpContent)
        : HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
    if (!http2) {
      closeAfterResponse = !HttpUtil.isKeepAlive(req);
    }
    HttpHeaders h = req.headers();
    if (h.size() > config.maxHeadersCount()) {
      closeAfterResponse = true;
      sendLocalReply(431, "", "http1.too_many_headers", null);
      return;
    }
    String problem = prepare(req);
    if (problem == REDIRECT_TO_NORMALIZED_PATH) { // path_with_escaped_slashes_action UNESCAPE_AND_REDIRECT
      HttpHeaders location = new io.netty.handler.codec.http.DefaultHttpHeaders();
      location.set(HttpHeaderNames.LOCATION, req.uri());
      sendLocalReply(307, "", "path_normalization_failed", null, location);
      return;
    }
    if (problem != null) {
      closeAfterResponse = true;
      sendLocalReply(400, "", problem, null);
      return;
    }
    OverloadManagerRuntime.Verdict overload = OverloadManagerRuntime.onRequest(ctx.channel(), config.stats());
    if (overload == OverloadManagerRuntime.Verdict.REJECT) {
      sendLocalReply(503, "envoy overloaded", "overload", ResponseFlag.OVERLOAD_MANAGER);
      return;
    }
    if (overload == OverloadManagerRuntime.Verdict.CLOSE_AFTER) {
      closeAfterResponse = true;
    }
    filters = newFilters();
    nextFilter = 0;
    runRequestFilters();
  }

  private HttpFilter[] newFilters() {
    List<HttpFilterFactory> factories = config.filters();
    if (factories.isEmpty()) {
      return NO_FILTERS;
    }
    HttpFilter[] out = new HttpFilter[factories.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = factories.get(i).newFilter();
    }
    return out;
  }

  /** Runs the request filters from where the chain stands, then hands the request to the router. */
  private void runRequestFilters() {
    while (nextFilter < filters.length) {
      HttpFilter f = filters[nextFilter++];
      HttpFilter.Status status = f.onRequestHeaders(this, request);
      if (!streamActive || responseStarted) {
        return; // the filter answered locally
      }
      if (status == HttpFilter.Status.STOP) {
        filtersWaiting = true;
        return;
      }
    }
    filtersWaiting = false;
    handler = streamRouter().route(this, request);
    if (handler == null) {
      releaseHeld();
      if (!requestComplete) {
        readMoreRequest();
      }
      return;
    }
    while (!heldBody.isEmpty() && handler != null) {
      handler.onRequestData(heldBody.poll());
    }
    if (heldEnd != null) {
      LastHttpContent last = heldEnd;
      heldEnd = null;
      if (handler != null) {
        handler.onRequestEnd(last);
      } else {
        last.release();
      }
    }
  }

  private void releaseHeld() {
    while (!heldBody.isEmpty()) {
      heldBody.poll().release();
    }
    if (heldEnd != null) {
      heldEnd.release();
      heldEnd = null;
    }
  }

  // ---------------------------------------------------------------- stream timers

  /** A route's {@code max_stream_duration} replaces the connection manager's; 0 turns it off. */
  public void setMaxStreamDuration(long millis) {
    timers.setDuration(millis);
  }

  /** A route's {@code idle_timeout} replaces the connection manager's for this stream; 0 turns it off. */
  public void setStreamIdleTimeout(long millis) {
    timers.setIdle(millis);
  }

  @Override
  public void idle() {
    if (!streamActive) {
      return;
    }
    config.stats().downstreamRqIdleTimeout.inc();
    timedOut(requestComplete ? 504 : 408, "stream timeout", "stream_idle_timeout", ResponseFlag.STREAM_IDLE_TIMEOUT);
  }

  @Override
  public void requestTimeout() {
    if (!streamActive) {
      return;
    }
    config.stats().downstreamRqTimeout.inc();
    timedOut(requestComplete ? 504 : 408, "request timeout", "request_overall_timeout", null);
  }

  @Override
  public void durationTimeout() {
    if (!streamActive) {
      return;
    }
    config.stats().downstreamRqMaxDurationReached.inc();
    timedOut(408, "downstream duration timeout", "max_duration_timeout", ResponseFlag.DURATION_TIMEOUT);
  }

  /** A stream timer fired: upstream work stops; the client gets a local reply, or a reset if too late. */
  private void timedOut(int status, String body, String details, ResponseFlag flag) {
    RequestHandler h = handler;
    handler = null;
    if (h != null) {
      h.onDownstreamReset();
    }
    if (responseStarted) {
      if (flag != null) {
        info.setFlag(flag);
      }
      info.setResponseCodeDetails(details);
      resetStream();
      return;
    }
    closeAfterResponse = closeAfterResponse || !requestComplete;
    sendLocalReply(status, body, details, flag);
  }

  // ---------------------------------------------------------------- HttpFilterCallbacks

  @Override
  public RouteEntry route() {
    if (!routeResolved) {
      routeResolved = true;
      route = streamRouter().findRoute(request);
    }
    return route;
  }

  @Override
  public void continueRequest() {
    if (!ctx.executor().inEventLoop()) {
      throw new IllegalStateException("continueRequest() must be called on the stream's event loop");
    }
    if (!streamActive || !filtersWaiting || responseStarted) {
      return;
    }
    filtersWaiting = false;
    runRequestFilters();
  }

  private void onRequestEnd(LastHttpContent last, boolean countBytes) {
    if (!streamActive) {
      last.release();
      if (!pipelined.isEmpty()) {
        return;
      }
      ctx.read();
      return;
    }
    requestComplete = true;
    timers.requestComplete();
    timers.activity();
    if (countBytes) {
      info.addBytesReceived(last.content().readableBytes());
    }
    if (filtersWaiting) {
      heldEnd = last;
      return;
    }
    if (handler != null) {
      handler.onRequestEnd(last);
    } else {
      last.release();
    }
    if (responseComplete) {
      endStream();
    }
  }

  /**
   * The connection manager's request mutations; returns a details string when the request must be
   * refused with 400, or null.
   */
  private String prepare(HttpRequest req) {
    HttpHeaders h = req.headers();
    if (!http2 && req.protocolVersion().equals(HttpVersion.HTTP_1_1) && !h.contains(HttpHeaderNames.HOST)) {
      return "missing_host_header";
    }
    if (HttpUtil.is100ContinueExpected(req)) {
      h.remove(HttpHeaderNames.EXPECT);
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
          ctx.voidPromise());
    }
    String scheme = h.get(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
    HopByHop.strip(h);
    for (String name : UNTRUSTED_ENVOY_HEADERS) {
      h.remove(name);
    }
    if (HttpMethod.CONNECT.equals(req.method())) {
      if (ConnectAuthority.parse(h.get(HttpHeaderNames.HOST)) == null) {
        return "invalid_connect_authority";
      }
    } else {
      String uri = req.uri();
      boolean redirect = false;
      EscapedSlashesAction escaped = config.extras().escapedSlashes();
      if (escaped != EscapedSlashesAction.KEEP_UNCHANGED) {
        String unescaped = EscapedSlashesAction.unescapeSlashes(uri);
        if (unescaped != uri) {
          boolean grpc = String.valueOf(h.get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/grpc");
          if (escaped == EscapedSlashesAction.REJECT_REQUEST
              || (escaped == EscapedSlashesAction.UNESCAPE_AND_REDIRECT && grpc)) {
            return "path_normalization_failed"; // gRPC clients do not follow redirects
          }
          redirect = escaped == EscapedSlashesAction.UNESCAPE_AND_REDIRECT;
          uri = unescaped;
        }
      }
      String normalized = PathNormalizer.normalize(uri, config.normalizePath(), config.mergeSlashes());
      if (normalized == null) {
        return "path_normalization_failed";
      }
      req.setUri(normalized);
      if (redirect) {
        return REDIRECT_TO_NORMALIZED_PATH;
      }
    }
    config.extras().forwardClientCert().apply(h, connection.peerCertificate());
    String proto = connection.tls() ? "https" : "http";
    if (config.useRemoteAddress()) {
      if (config.xffNumTrustedHops() == 0 || !h.contains("x-forwarded-proto")) {
        h.set("x-forwarded-proto", proto);
      }
      String remote = connection.remote().getAddress().getHostAddress();
      String xff = h.get("x-forwarded-for");
      h.set("x-forwarded-for", xff == null || xff.isEmpty() ? remote : xff + "," + remote);
    } else if (!h.contains("x-forwarded-proto")) {
      h.set("x-forwarded-proto", scheme != null ? scheme : proto);
    }
    if (config.generateRequestId()) {
      boolean edge = config.useRemoteAddress() && !config.preserveExternalRequestId();
      if (edge || !h.contains("x-request-id")) {
        h.set("x-request-id", RequestIds.next());
      }
    }
    return null;
  }

  private void rejectMalformed(Throwable cause) {
    closeAfterResponse = true;
    info.setFlag(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
    config.stats().downstreamCxProtocolError.inc();
    if (cause instanceof TooLongHttpLineException) {
      sendLocalReply(414, "", "http1.codec_error", null);
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      sendLocalReply(431, "", "http1.headers_too_large", null);
    } else {
      sendLocalReply(400, "Bad Request", "http1.codec_error", null);
    }
  }

  /**
   * The body of the current request failed to decode (bad chunk size, bad trailer…): whatever was
   * forwarded is abandoned — the upstream request is reset, never completed — and the client gets
   * 400 and a close, or a close if its response already started.
   */
  private void rejectMalformedBody(Throwable cause) {
    if (!streamActive) {
      ctx.close();
      return;
    }
    info.setFlag(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
    config.stats().downstreamCxProtocolError.inc();
    closeAfterResponse = true;
    RequestHandler h = handler;
    handler = null;
    if (h != null) {
      h.onDownstreamReset();
    }
    if (responseStarted) {
      resetStream();
      return;
    }
    sendLocalReply(400, "Bad Request", "http1.codec_error", null);
  }

  private HttpRouter streamRouter() {
    if (streamRouter == null) {
      streamRouter = config.router().snapshot();
    }
    return streamRouter;
  }

  // ---------------------------------------------------------------- response side

  private void frameHttp1(HttpResponse response, int code) {
    HttpHeaders h = response.headers();
    boolean bodyless = code == 204 || code == 304 || HttpMethod.HEAD.equals(request.method());
    if (!bodyless && !(response instanceof LastHttpContent) && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeAfterResponse = true; // HTTP/1.0: the close ends the body
      }
    }
    if (!requestComplete && handler == null && requestBodyExpected) {
      closeAfterResponse = true; // a locally answered request whose body we will not read
    }
    if (ConnectionDrain.isDraining(ctx.channel())) {
      closeAfterResponse = true; // the listener changed: this connection ends after this response
    }
    if (closeAfterResponse) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    response.setProtocolVersion(request.protocolVersion().equals(HttpVersion.HTTP_1_0)
        ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1);
  }

  private void countSent(HttpContent content) {
    info.addBytesSent(content.content().readableBytes());
  }

  private void finishResponse() {
    responseComplete = true;
    // a bodyless request's end is already decoded and follows at once: only an unread body forces a close
    if (closeAfterResponse || (!requestComplete && !http2 && requestBodyExpected)) {
      DelayedClose.flushThenClose(ctx);
      endStream();
      return;
    }
    ctx.flush();
    if (requestComplete || (http2 && !tunnel)) {
      endStream();
    }
  }

  private void clientGone(ResponseFlag flag) {
    if (!streamActive) {
      return;
    }
    if (flag == ResponseFlag.DOWNSTREAM_REMOTE_RESET) {
      config.stats().downstreamRqRxReset.inc(); // Envoy's downstream_rq_rx_reset
    }
    boolean cleanTunnelEnd = tunnel && responseStarted && (downstreamResetCode == 0 || downstreamResetCode == 8);
    if (!responseComplete || (tunnel && !requestComplete)) {
      if (!cleanTunnelEnd) {
        info.setFlag(flag);
      }
      if (info.responseCodeDetails() == null) {
        info.setResponseCodeDetails("downstream_remote_disconnect");
      }
      RequestHandler h = handler;
      handler = null;
      if (h != null) {
        h.onDownstreamReset();
      }
    }
    endStream();
  }

  /** The stream is over: stats, access logs, then the next request on a kept-alive connection. */
  private void endStream() {
    if (!streamActive) {
      return;
    }
    streamActive = false;
    handler = null;
    filtersWaiting = false;
    timers.cancel();
    releaseHeld();
    for (HttpFilter f : filters) {
      f.onStreamEnd(this);
    }
    filters = NO_FILTERS;
    route = null;
    routeResolved = false;
    info.markEnd(System.nanoTime());
    config.stats().downstreamRqActive.dec();
    if (info.responseCode() > 0) {
      config.stats().downstreamResponse(info.responseCode());
    }
    for (Consumer<StreamInfo> log : config.accessLogs()) {
      log.accept(info);
    }
    if (http2) {
      if (responseComplete) {
        ctx.flush();
        if (!requestComplete) {
          ctx.channel().close(); // reset the rest of the request
        }
      }
      return;
    }
    Channel ch = ctx.channel();
    if (!ch.isActive() || closeAfterResponse || !requestComplete) {
      return;
    }
    // keep-alive: serve a pipelined request, or read the next one
    drainPipelined();
    if (!streamActive && pipelined.isEmpty() && !draining) {
      RequestHeadersTimer timer = ctx.pipeline().get(RequestHeadersTimer.class);
      if (timer != null) {
        timer.awaitNextRequest();
      }
      ctx.read();
    }
  }
}
