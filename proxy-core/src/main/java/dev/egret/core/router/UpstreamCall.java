package dev.egret.core.router;

import dev.egret.core.http.DownstreamStream;
import dev.egret.core.http.RequestHandler;
import dev.egret.core.pool.ConnectionPool;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.pool.UpstreamStream;
import dev.egret.core.pool.UpstreamStreamListener;
import dev.egret.core.route.RetryPolicy;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import dev.egret.core.upstream.Host;
import dev.egret.core.upstream.LbContext;
import dev.egret.core.upstream.OutlierDetector;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One routed request on its way to an upstream: the router's per-request state, across retries. It
 * takes the request body from the {@link DownstreamStream} and each attempt's response from its
 * {@link UpstreamStream}, passing bytes on only as fast as the other side takes them (explicit reads
 * on both channels), so a body of any size streams through in bounded memory.
 *
 * <p>Retries follow the route's {@link RetryPolicy}: a failed attempt (connect failure, reset, per-try
 * timeout) or a retriable status is retried after a jittered back-off while retries remain and nothing
 * has gone downstream yet; the request body is kept for replay up to the buffer limit, past which the
 * request is no longer retried. The route timeout spans every attempt and back-off.
 *
 * <p>Failures become Envoy's local replies: 503 with {@code UF} and the transport failure reason when
 * the connection cannot be made ({@code URX,UF} and "retried and the latest reset reason" when retries
 * ran out), {@code UC}/{@code UR} when the upstream goes away before its response headers, 502
 * {@code UPE} for a malformed response, 504 {@code UT} on the route or last per-try timeout. Once
 * response bytes went downstream a failure can only reset the downstream stream.
 *
 * <p>Everything runs on the downstream connection's event loop, which is also where the upstream
 * connections live.
 */
final class UpstreamCall implements RequestHandler {
  /** Request body kept for retries at most ({@code per_connection_buffer_limit_bytes}' default). */
  static final long RETRY_BUFFER_LIMIT = 1024 * 1024;

  private final DownstreamStream down;
  private final StreamInfo info;
  private final ClusterRuntime cluster;
  private final HttpRequest head;
  private final boolean requestSentWithHeaders;
  private final long timeoutMillis;
  private final boolean autoHostRewrite;
  private final RetryPolicy retry; // nullable
  private final long perTryMillis;
  private final long perTryIdleMillis;
  private final boolean attemptCountUpstream;
  private final boolean attemptCountDownstream;

  private Attempt current;
  private int attempts;
  private int retriesLeft;
  private final List<Host> triedHosts = new ArrayList<>(2);
  private List<HttpContent> replay; // retained copies of the body, while a retry may still need it
  private long replayBytes;
  private LastHttpContent replayEnd;
  private boolean requestEnded;
  private boolean responseStarted;
  private boolean done;
  private long requestEndNanos;
  private ScheduledFuture<?> routeTimer;
  private ScheduledFuture<?> backOffTimer;
  private boolean holdingRetrySlot; // a max_retries / retry_budget slot, held until the retry ends

  UpstreamCall(DownstreamStream down, ClusterRuntime cluster, HttpRequest head, boolean requestSentWithHeaders,
      long timeoutMillis, boolean autoHostRewrite, RetryPolicy retry, boolean attemptCountUpstream,
      boolean attemptCountDownstream) {
    this.down = down;
    this.info = down.info();
    this.cluster = cluster;
    this.head = head;
    this.requestSentWithHeaders = requestSentWithHeaders;
    this.timeoutMillis = timeoutMillis;
    this.autoHostRewrite = autoHostRewrite;
    this.retry = retry;
    long perTry = retry == null || retry.perTryTimeout() == null ? 0 : retry.perTryTimeout().toMillis();
    // a per-try timeout not shorter than the route timeout is ignored (router.md §6.1)
    this.perTryMillis = timeoutMillis > 0 && perTry >= timeoutMillis ? 0 : perTry;
    this.attemptCountUpstream = attemptCountUpstream;
    this.attemptCountDownstream = attemptCountDownstream;
    this.retriesLeft = retry == null || !retry.appliesTo(head.headers()) ? 0 : retry.numRetries();
    this.perTryIdleMillis = retry == null || retry.perTryIdleTimeout() == null ? 0 : retry.perTryIdleTimeout().toMillis();
    if (retry != null && retriesLeft > 0 && !requestSentWithHeaders) {
      replay = new ArrayList<>(2);
    }
  }

  /** Starts the first attempt; returns null when the request was answered locally. */
  RequestHandler start() {
    info.setUpstreamCluster(cluster.name(), cluster.altStatName());
    startAttempt();
    return done ? null : this;
  }

  private void startAttempt() {
    Host host = pickHost();
    if (host == null) {
      finish();
      down.sendLocalReply(503, "no healthy upstream", "no_healthy_upstream", ResponseFlag.NO_HEALTHY_UPSTREAM);
      return;
    }
    attempts++;
    triedHosts.add(host);
    info.setAttemptCount(attempts);
    info.setUpstreamHost(host.addressString());
    info.setUpstreamLocalAddress(null);
    info.setUpstreamTransportFailureReason(null);
    if (autoHostRewrite && host.hostname() != null) {
      head.headers().set(HttpHeaderNames.HOST, host.hostname());
    }
    if (attemptCountUpstream) {
      head.headers().set("x-envoy-attempt-count", Integer.toString(attempts));
    }
    long expected = expectedTimeoutMillis();
    if (expected > 0) {
      head.headers().set("x-envoy-expected-rq-timeout-ms", Long.toString(expected));
    } else {
      head.headers().remove("x-envoy-expected-rq-timeout-ms");
    }
    current = new Attempt(host);
    current.begin();
  }

  /**
   * What the upstream may expect: the per-try timeout, or the route timeout's time left (at least
   * 1 ms), whichever is shorter; 0 when neither applies.
   */
  private long expectedTimeoutMillis() {
    long left = 0;
    if (timeoutMillis > 0) {
      left = requestEnded
          ? Math.max(1, timeoutMillis - (System.nanoTime() - requestEndNanos) / 1_000_000) : timeoutMillis;
    }
    return perTryMillis > 0 && (left == 0 || perTryMillis < left) ? perTryMillis : left;
  }

  /** A local reply from the router: with {@code include_attempt_count_in_response}, it says how many tries. */
  private void reply(int status, String body, String details, ResponseFlag flag, HttpHeaders extra) {
    if (attemptCountDownstream && attempts > 0) {
      extra = extra == null ? new DefaultHttpHeaders() : extra;
      extra.set("x-envoy-attempt-count", Integer.toString(attempts));
    }
    down.sendLocalReply(status, body, details, flag, extra);
  }

  /** The load balancer's pick, re-picked when the previous-hosts predicate rejects it. */
  private Host pickHost() {
    // only an ORIGINAL_DST cluster looks at the request: no context is made for the others
    LbContext ctx = cluster.picksByDestination()
        ? new LbContext(info.downstreamLocalAddress(), head.headers(), info.dynamicMetadata()) : LbContext.NONE;
    Host h = cluster.chooseHost(ctx);
    if (h != null && retry != null && retry.avoidPreviousHosts() && !triedHosts.isEmpty()) {
      for (int i = 0; i < retry.hostSelectionMaxAttempts() && triedHosts.contains(h); i++) {
        h = cluster.chooseHost(ctx);
      }
    }
    return h;
  }

  // ---------------------------------------------------------------- downstream → upstream

  @Override
  public void onRequestData(HttpContent content) {
    if (done) {
      content.release();
      return;
    }
    keepForReplay(content);
    if (current == null) {
      content.release(); // backing off: the replay copy is what the next attempt sends
      if (replay == null) {
        tooBigToRetry();
        return;
      }
      down.readMoreRequest();
      return;
    }
    current.send(content);
  }

  @Override
  public void onRequestEnd(LastHttpContent last) {
    requestEnded = true;
    requestEndNanos = System.nanoTime();
    if (timeoutMillis > 0 && !done) {
      routeTimer = down.eventLoop().schedule(this::onRouteTimeout, timeoutMillis, TimeUnit.MILLISECONDS);
    }
    if (done || requestSentWithHeaders) {
      last.release();
      if (current != null) {
        current.requestComplete();
      }
      return;
    }
    if (replay != null) {
      replayEnd = last.retainedDuplicate();
    }
    if (current == null) {
      last.release();
      if (replay == null) {
        tooBigToRetry();
      }
      return;
    }
    current.sendEnd(last);
  }

  private void keepForReplay(HttpContent content) {
    if (replay == null) {
      return;
    }
    replayBytes += content.content().readableBytes();
    if (replayBytes > RETRY_BUFFER_LIMIT) {
      cluster.stats().retryOrShadowAbandoned.inc();
      releaseReplay();
      retriesLeft = 0; // the current attempt continues, but it is the last one
      return;
    }
    replay.add(content.retainedDuplicate());
  }

  /** The body outgrew the retry buffer while no attempt was running (router.md §5.3). */
  private void tooBigToRetry() {
    finish();
    down.sendLocalReply(507, "exceeded request buffer limit while retrying upstream",
        "request_payload_exceeded_retry_buffer_limit", null);
  }

  // ---------------------------------------------------------------- attempt outcomes

  /** An attempt got response headers; returns false when they are dropped for a retry. */
  private boolean onAttemptHeaders(Attempt a, HttpResponse response) {
    int status = response.status().code();
    if (retry != null && !responseStarted && retry.retriable(status, response.headers())) {
      if (retriesLeft > 0 && (replay != null || requestSentWithHeaders)) {
        retriesLeft--;
        if (takeRetrySlot()) {
          a.abandon();
          scheduleRetry(response.headers());
          return false;
        }
      } else if (retriesLeft == 0) {
        cluster.stats().upstreamRqRetryLimitExceeded.inc();
        info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
      }
    } else if (attempts > 1) {
      cluster.stats().upstreamRqRetrySuccess.inc();
    }
    responseStarted = true;
    releaseReplay();
    long now = System.nanoTime();
    info.markUpstreamHeaders(now);
    info.setResponseCodeDetails("via_upstream");
    cluster.stats().upstreamResponse(status);
    if (requestEnded) {
      response.headers().set("x-envoy-upstream-service-time", Long.toString((now - requestEndNanos) / 1_000_000));
    }
    if (attemptCountDownstream) {
      response.headers().set("x-envoy-attempt-count", Integer.toString(attempts));
    }
    return true;
  }

  /** An attempt ended without a usable response. */
  /**
   * @param perTryDetails for a per-try (idle) timeout, its details ({@code upstream_per_try_timeout} or
   *     {@code upstream_per_try_idle_timeout}); null for other failures
   */
  private void onAttemptFailed(Attempt a, ResetReason reason, String transportFailure, String perTryDetails) {
    boolean perTryTimeout = perTryDetails != null;
    if (a != current || done) {
      return;
    }
    current = null;
    info.setUpstreamTransportFailureReason(transportFailure);
    if (responseStarted) {
      info.setFlag(UpstreamCall.flagFor(reason));
      info.setResponseCodeDetails(resetDetails("upstream_reset_after_response_started", reason, transportFailure));
      finish();
      down.resetStream();
      return;
    }
    RetryPolicy.Failure failure = perTryTimeout ? RetryPolicy.Failure.PER_TRY_TIMEOUT
        : reason == ResetReason.OVERFLOW ? RetryPolicy.Failure.OVERFLOW
        : reason.isConnectFailure() ? RetryPolicy.Failure.CONNECT_FAILURE
        : reason == ResetReason.REMOTE_REFUSED_STREAM_RESET ? RetryPolicy.Failure.REFUSED_STREAM
        : RetryPolicy.Failure.RESET;
    if (retry != null && retry.retriable(failure, a.requestBytesSent)) {
      boolean replayable = requestSentWithHeaders || replay != null;
      if (retriesLeft > 0 && replayable) {
        retriesLeft--;
        if (takeRetrySlot()) {
          scheduleRetry(null);
          return;
        }
      } else if (retriesLeft == 0) {
        cluster.stats().upstreamRqRetryLimitExceeded.inc();
        info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
      }
    }
    finish();
    if (perTryTimeout) {
      reply(504, "upstream request timeout", perTryDetails, ResponseFlag.UPSTREAM_REQUEST_TIMEOUT, null);
      return;
    }
    int status = reason == ResetReason.PROTOCOL_ERROR ? 502 : 503;
    StringBuilder body = new StringBuilder("upstream connect error or disconnect/reset before headers. ");
    if (attempts > 1) {
      body.append("retried and the latest ");
    }
    body.append("reset reason: ").append(reason.text());
    if (transportFailure != null && !transportFailure.isEmpty()) {
      body.append(", transport failure reason: ").append(transportFailure);
    }
    HttpHeaders extra = null;
    if (reason == ResetReason.OVERFLOW) {
      extra = new DefaultHttpHeaders().set("x-envoy-overloaded", "true");
    }
    reply(status, body.toString(),
        resetDetails("upstream_reset_before_response_started", reason, transportFailure), flagFor(reason), extra);
  }

  /**
   * Takes a retry slot from the cluster's circuit breakers; when none is free the retry is refused
   * ({@code upstream_rq_retry_overflow}, flag {@code UO}) and the attempt's outcome stands.
   */
  private boolean takeRetrySlot() {
    if (!holdingRetrySlot && !cluster.breakers().tryStartRetry()) {
      cluster.stats().upstreamRqRetryOverflow.inc();
      info.setFlag(ResponseFlag.UPSTREAM_OVERFLOW);
      return false;
    }
    holdingRetrySlot = true;
    cluster.stats().upstreamRqRetry.inc();
    return true;
  }

  /** Waits out the back-off, then starts the next attempt; rate-limit reset headers may set the wait. */
  private void scheduleRetry(HttpHeaders responseHeaders) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long delay = responseHeaders == null ? -1
        : retry.rateLimitedBackOffMillis(responseHeaders, System.currentTimeMillis(), random);
    if (delay < 0) {
      delay = retry.backOffMillis(attempts, random);
    }
    backOffTimer = down.eventLoop().schedule(() -> {
      backOffTimer = null;
      if (!done) {
        startAttempt();
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  private void onRouteTimeout() {
    routeTimer = null;
    if (done) {
      return;
    }
    cluster.stats().upstreamRqTimeout.inc();
    Attempt a = current;
    current = null;
    if (a != null) {
      if (!responseStarted) {
        cluster.outlier().reportLocalOrigin(a.host, OutlierDetector.LocalOriginResult.TIMEOUT);
      }
      a.abandon();
    }
    finish();
    if (responseStarted) {
      info.setFlag(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
      down.resetStream();
      return;
    }
    reply(504, "upstream request timeout", "response_timeout", ResponseFlag.UPSTREAM_REQUEST_TIMEOUT, null);
  }

  @Override
  public void onDownstreamWritabilityChanged(boolean writable) {
    if (writable && responseStarted && current != null && current.up != null && !done) {
      current.up.read();
    }
  }

  @Override
  public void onDownstreamReset() {
    if (done) {
      return;
    }
    Attempt a = current;
    current = null;
    finish();
    if (a != null) {
      a.abandon();
    }
  }

  /** Ends the call: timers, counters, buffers. Idempotent. */
  private void finish() {
    if (done) {
      return;
    }
    done = true;
    if (routeTimer != null) {
      routeTimer.cancel(false);
      routeTimer = null;
    }
    if (backOffTimer != null) {
      backOffTimer.cancel(false);
      backOffTimer = null;
    }
    if (current != null && !requestEnded) {
      current.resetUpstream(); // the response is complete but the request is not: Envoy resets the upstream
    }
    releaseReplay();
    if (holdingRetrySlot) {
      holdingRetrySlot = false;
      cluster.breakers().retryDone();
    }
  }

  private void releaseReplay() {
    if (replay != null) {
      replay.forEach(ReferenceCountUtil::release);
      replay = null;
    }
    if (replayEnd != null) {
      replayEnd.release();
      replayEnd = null;
    }
  }

  static ResponseFlag flagFor(ResetReason reason) {
    switch (reason) {
      case LOCAL_CONNECTION_FAILURE:
      case REMOTE_CONNECTION_FAILURE:
      case CONNECTION_TIMEOUT:
        return ResponseFlag.UPSTREAM_CONNECTION_FAILURE;
      case CONNECTION_TERMINATION:
        return ResponseFlag.UPSTREAM_CONNECTION_TERMINATION;
      case LOCAL_RESET:
      case LOCAL_REFUSED_STREAM_RESET:
        return ResponseFlag.LOCAL_RESET;
      case OVERFLOW:
        return ResponseFlag.UPSTREAM_OVERFLOW;
      case PROTOCOL_ERROR:
        return ResponseFlag.UPSTREAM_PROTOCOL_ERROR;
      default:
        return ResponseFlag.UPSTREAM_REMOTE_RESET;
    }
  }

  /** {@code prefix{reset_reason|transport failure}} with every whitespace character made '_'. */
  static String resetDetails(String prefix, ResetReason reason, String transportFailureReason) {
    StringBuilder sb = new StringBuilder(prefix).append('{').append(reason.text());
    if (transportFailureReason != null && !transportFailureReason.isEmpty()) {
      sb.append('|').append(transportFailureReason);
    }
    sb.append('}');
    for (int i = 0; i < sb.length(); i++) {
      if (Character.isWhitespace(sb.charAt(i))) {
        sb.setCharAt(i, '_');
      }
    }
    return sb.toString();
  }

  /**
   * One try at one host: asks the host's pool for a stream, sends the request (replaying the kept
   * body on a retry), and relays the response — or reports why it could not.
   */
  private final class Attempt implements UpstreamStreamListener, ConnectionPool.StreamCallback {
    private final Host host;
    private UpstreamStream up;
    private ConnectionPool.Cancellable pendingConnect;
    private final ArrayDeque<HttpContent> queued = new ArrayDeque<>(2);
    private LastHttpContent queuedEnd;
    private boolean requestBytesSent;
    private boolean finished;
    private ScheduledFuture<?> perTryTimer;
    private ScheduledFuture<?> idleTimer;
    private long lastActivity;

    Attempt(Host host) {
      this.host = host;
    }

    void begin() {
      if (!cluster.breakers().tryStartRequest()) {
        cluster.stats().upstreamRqPendingOverflow.inc();
        finished = true;
        onAttemptFailed(this, ResetReason.OVERFLOW, null, null);
        return;
      }
      host.requestStarted();
      cluster.stats().upstreamRqActive.inc();
      // a retry sends what the first attempt was sent: the body kept so far, and its end if it came
      if (replay != null && attempts > 1) {
        for (HttpContent c : replay) {
          queued.add(c.retainedDuplicate());
        }
        if (replayEnd != null) {
          queuedEnd = replayEnd.retainedDuplicate();
        }
      }
      String authority = head.headers().get(HttpHeaderNames.HOST);
      ConnectionPool pool = cluster.pool(down.eventLoop(), host, authority);
      ConnectionPool.Cancellable c = pool.newStream(this, this);
      if (up == null && !finished) {
        pendingConnect = c;
      }
    }

    @Override
    public void onReady(UpstreamStream stream) {
      pendingConnect = null;
      if (finished) {
        stream.reset();
        return;
      }
      up = stream;
      cluster.outlier().reportLocalOrigin(host, OutlierDetector.LocalOriginResult.CONNECT_SUCCESS);
      InetSocketAddress local = stream.localAddress();
      if (local != null) {
        info.setUpstreamLocalAddress(local.getAddress().getHostAddress() + ":" + local.getPort());
      }
      requestBytesSent = true;
      lastActivity = System.nanoTime();
      if (perTryIdleMillis > 0) {
        idleTimer = down.eventLoop().schedule(this::checkIdle, perTryIdleMillis, TimeUnit.MILLISECONDS);
      }
      up.writeHeaders(headForThisAttempt());
      while (!queued.isEmpty()) {
        up.writeData(queued.poll());
      }
      if (queuedEnd != null) {
        LastHttpContent last = queuedEnd;
        queuedEnd = null;
        up.writeLast(last);
      }
      up.flush();
      if (requestEnded) {
        armPerTryTimer();
      } else if (up.isWritable()) {
        down.readMoreRequest();
      }
      up.read();
    }

    /** Netty's full-request objects carry content: every attempt gets its own head object. */
    private HttpRequest headForThisAttempt() {
      if (head instanceof FullHttpRequest) {
        return new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
            io.netty.buffer.Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
      }
      return attempts == 1 ? head : new DefaultHttpRequest(head.protocolVersion(), head.method(), head.uri(),
          head.headers());
    }

    @Override
    public void onFailure(ResetReason reason, String transportFailureReason) {
      pendingConnect = null;
      onReset(reason, transportFailureReason);
    }

    void send(HttpContent content) {
      if (up == null) {
        queued.add(content); // arrived before the connection: at most one read's worth
        return;
      }
      lastActivity = System.nanoTime();
      up.writeData(content);
      up.flush();
      if (up.isWritable()) {
        down.readMoreRequest();
      }
    }

    void sendEnd(LastHttpContent last) {
      if (up == null) {
        queuedEnd = last;
        return;
      }
      up.writeLast(last);
      armPerTryTimer();
    }

    /** The request (sent with its headers) is now complete downstream. */
    void requestComplete() {
      if (up != null) {
        armPerTryTimer();
      }
    }

    private void armPerTryTimer() {
      if (perTryMillis > 0 && perTryTimer == null && !finished) {
        perTryTimer = down.eventLoop().schedule(this::onPerTryTimeout, perTryMillis, TimeUnit.MILLISECONDS);
      }
    }

    private void onPerTryTimeout() {
      perTryTimer = null;
      if (finished || responseStarted) {
        return;
      }
      cluster.stats().upstreamRqPerTryTimeout.inc();
      cluster.outlier().reportLocalOrigin(host, OutlierDetector.LocalOriginResult.TIMEOUT);
      abandon();
      onAttemptFailed(this, ResetReason.LOCAL_RESET, null, "upstream_per_try_timeout");
    }

    /** {@code per_try_idle_timeout}: re-armed lazily on activity; it also runs while the response streams. */
    private void checkIdle() {
      idleTimer = null;
      if (finished) {
        return;
      }
      long left = perTryIdleMillis - (System.nanoTime() - lastActivity) / 1_000_000;
      if (left > 0) {
        idleTimer = down.eventLoop().schedule(this::checkIdle, left, TimeUnit.MILLISECONDS);
        return;
      }
      cluster.outlier().reportLocalOrigin(host, OutlierDetector.LocalOriginResult.TIMEOUT);
      abandon();
      onAttemptFailed(this, ResetReason.LOCAL_RESET, null, "upstream_per_try_idle_timeout");
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
      if (writable && !requestEnded && !finished) {
        down.readMoreRequest();
      }
    }

    @Override
    public void onResponseHeaders(HttpResponse response) {
      if (finished) {
        ReferenceCountUtil.release(response);
        return;
      }
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(response); // 100-continue was answered by Egret already
        up.read();
        return;
      }
      cancelPerTryTimer();
      cluster.outlier().reportHttpStatus(host, response.status().code());
      if (!onAttemptHeaders(this, response)) {
        ReferenceCountUtil.release(response);
        return;
      }
      boolean complete = response instanceof LastHttpContent;
      down.sendResponseHeaders(response);
      if (complete) {
        end();
        finish();
      } else if (down.isWritable()) {
        up.read();
      }
    }

    @Override
    public void onResponseData(HttpContent data) {
      if (finished) {
        data.release();
        return;
      }
      lastActivity = System.nanoTime();
      down.sendResponseData(data);
      if (down.isWritable()) {
        up.read();
      }
    }

    @Override
    public void onResponseEnd(LastHttpContent last) {
      if (finished) {
        last.release();
        return;
      }
      down.sendResponseEnd(last);
      end();
      finish();
    }

    @Override
    public void onReset(ResetReason reason, String transportFailureReason) {
      if (finished) {
        return;
      }
      up = null;
      end();
      if (reason != ResetReason.OVERFLOW) { // connect failure or reset: Envoy's local-origin "connect failed"
        cluster.outlier().reportLocalOrigin(host, OutlierDetector.LocalOriginResult.CONNECT_FAILED);
      }
      onAttemptFailed(this, reason, transportFailureReason, null);
    }

    /** Stops this attempt: a waiting connect is withdrawn, an open stream reset. */
    void abandon() {
      if (pendingConnect != null) {
        pendingConnect.cancel();
        pendingConnect = null;
      }
      end();
      resetUpstream();
    }

    void resetUpstream() {
      UpstreamStream u = up;
      up = null;
      if (u != null) {
        u.reset();
      }
    }

    private void cancelPerTryTimer() {
      if (perTryTimer != null) {
        perTryTimer.cancel(false);
        perTryTimer = null;
      }
    }

    private void cancelIdleTimer() {
      if (idleTimer != null) {
        idleTimer.cancel(false);
        idleTimer = null;
      }
    }

    /** Bookkeeping when the attempt is over, however it ended. */
    private void end() {
      if (finished) {
        return;
      }
      finished = true;
      cancelPerTryTimer();
      cancelIdleTimer();
      cluster.breakers().requestDone();
      host.requestFinished();
      cluster.stats().upstreamRqActive.dec();
      cluster.stats().upstreamRqCompleted.inc();
      while (!queued.isEmpty()) {
        queued.poll().release();
      }
      if (queuedEnd != null) {
        queuedEnd.release();
        queuedEnd = null;
      }
    }
  }
}
