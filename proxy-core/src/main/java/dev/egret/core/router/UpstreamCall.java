package dev.egret.core.router;

import dev.egret.core.http.DownstreamStream;
import dev.egret.core.http.RequestHandler;
import dev.egret.core.pool.ConnectionPool;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.pool.UpstreamStream;
import dev.egret.core.pool.UpstreamStreamListener;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import dev.egret.core.upstream.Host;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One routed request on its way to an upstream host: the router's per-request state. It takes the
 * request body from the {@link DownstreamStream} and the response from the {@link UpstreamStream},
 * passing each on only as fast as the other side takes it (explicit reads on both channels), so a
 * body of any size streams through in bounded memory.
 *
 * <p>Failures become Envoy's local replies: 503 with {@code UF} and the transport failure reason when
 * the connection cannot be made, {@code UC}/{@code UR} when the upstream goes away before its
 * response headers, 502 {@code UPE} for a malformed response, 504 {@code UT} on the route timeout. Once
 * response bytes went downstream a failure can only reset the downstream stream.
 *
 * <p>Everything runs on the downstream connection's event loop, which is also where the upstream
 * connection lives.
 */
final class UpstreamCall implements RequestHandler, UpstreamStreamListener, ConnectionPool.StreamCallback {
  private final DownstreamStream down;
  private final StreamInfo info;
  private final ClusterRuntime cluster;
  private final HttpRequest head;
  private final boolean requestSentWithHeaders;
  private final long timeoutMillis;
  private final boolean autoHostRewrite;
  private Host host;
  private UpstreamStream up;
  private ConnectionPool.Cancellable pendingConnect;
  private final ArrayDeque<HttpContent> queued = new ArrayDeque<>(2);
  private LastHttpContent queuedEnd;
  private boolean requestEnded;
  private boolean responseStarted;
  private boolean done;
  private long requestEndNanos;
  private ScheduledFuture<?> timeout;

  UpstreamCall(DownstreamStream down, ClusterRuntime cluster, HttpRequest head,
      boolean requestSentWithHeaders, long timeoutMillis, boolean autoHostRewrite) {
    this.down = down;
    this.info = down.info();
    this.cluster = cluster;
    this.head = head;
    this.requestSentWithHeaders = requestSentWithHeaders;
    this.timeoutMillis = timeoutMillis;
    this.autoHostRewrite = autoHostRewrite;
  }

  /** Picks a host and asks its pool for a stream; returns null when answered locally. */
  RequestHandler start() {
    info.setUpstreamCluster(cluster.name(), cluster.altStatName());
    host = cluster.chooseHost();
    if (host == null) {
      done = true;
      down.sendLocalReply(503, "no healthy upstream", "no_healthy_upstream", ResponseFlag.NO_HEALTHY_UPSTREAM);
      return null;
    }
    info.setUpstreamHost(host.addressString());
    info.setAttemptCount(1);
    host.requestStarted();
    cluster.stats().upstreamRqActive.inc();
    if (autoHostRewrite && host.hostname() != null) {
      head.headers().set(io.netty.handler.codec.http.HttpHeaderNames.HOST, host.hostname());
    }
    String authority = head.headers().get(io.netty.handler.codec.http.HttpHeaderNames.HOST);
    ConnectionPool pool = cluster.pool(down.eventLoop(), host, authority);
    ConnectionPool.Cancellable c = pool.newStream(this, this);
    if (up == null && !done) {
      pendingConnect = c;
    }
    return done ? null : this;
  }

  // ---------------------------------------------------------------- pool callbacks

  @Override
  public void onReady(UpstreamStream stream) {
    pendingConnect = null;
    if (done) {
      stream.reset();
      return;
    }
    up = stream;
    java.net.InetSocketAddress local = stream.localAddress();
    if (local != null) {
      info.setUpstreamLocalAddress(local.getAddress().getHostAddress() + ":" + local.getPort());
    }
    up.writeHeaders(head);
    while (!queued.isEmpty()) {
      up.writeData(queued.poll());
    }
    if (queuedEnd != null) {
      LastHttpContent last = queuedEnd;
      queuedEnd = null;
      up.writeLast(last);
    }
    up.flush();
    if (!requestEnded && up.isWritable()) {
      down.readMoreRequest();
    }
    up.read();
  }

  @Override
  public void onFailure(ResetReason reason, String transportFailureReason) {
    pendingConnect = null;
    onReset(reason, transportFailureReason);
  }

  // ---------------------------------------------------------------- downstream → upstream

  @Override
  public void onRequestData(HttpContent content) {
    if (done) {
      content.release();
      return;
    }
    if (up == null) {
      queued.add(content); // arrived with the headers, before the connection: at most one read's worth
      return;
    }
    up.writeData(content);
    up.flush();
    if (up.isWritable()) {
      down.readMoreRequest();
    }
  }

  @Override
  public void onRequestEnd(LastHttpContent last) {
    requestEnded = true;
    requestEndNanos = System.nanoTime();
    if (timeoutMillis > 0 && !done) {
      timeout = down.eventLoop().schedule(this::onRouteTimeout, timeoutMillis, TimeUnit.MILLISECONDS);
    }
    if (done || requestSentWithHeaders) {
      last.release();
      return;
    }
    if (up == null) {
      queuedEnd = last;
    } else {
      up.writeLast(last);
    }
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    if (writable && !requestEnded && !done) {
      down.readMoreRequest();
    }
  }

  // ---------------------------------------------------------------- upstream → downstream

  @Override
  public void onResponseHeaders(HttpResponse response) {
    if (done) {
      io.netty.util.ReferenceCountUtil.release(response);
      return;
    }
    if (response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
      io.netty.util.ReferenceCountUtil.release(response); // 100-continue was answered by us already
      up.read();
      return;
    }
    responseStarted = true;
    long now = System.nanoTime();
    info.markUpstreamHeaders(now);
    info.setResponseCodeDetails("via_upstream");
    cluster.stats().upstreamResponse(response.status().code());
    if (requestEnded) {
      response.headers().set("x-envoy-upstream-service-time", Long.toString((now - requestEndNanos) / 1_000_000));
    }
    boolean complete = response instanceof LastHttpContent;
    down.sendResponseHeaders(response);
    if (complete) {
      finish();
    } else if (down.isWritable()) {
      up.read();
    }
  }

  @Override
  public void onResponseData(HttpContent data) {
    if (done) {
      data.release();
      return;
    }
    down.sendResponseData(data);
    if (down.isWritable()) {
      up.read();
    }
  }

  @Override
  public void onResponseEnd(LastHttpContent last) {
    if (done) {
      last.release();
      return;
    }
    down.sendResponseEnd(last);
    finish();
  }

  @Override
  public void onDownstreamWritabilityChanged(boolean writable) {
    if (writable && responseStarted && up != null && !done) {
      up.read();
    }
  }

  // ---------------------------------------------------------------- failures

  @Override
  public void onReset(ResetReason reason, String transportFailureReason) {
    if (done) {
      return;
    }
    up = null;
    info.setUpstreamTransportFailureReason(transportFailureReason);
    ResponseFlag flag = flagFor(reason);
    String details = resetDetails(responseStarted ? "upstream_reset_after_response_started"
        : "upstream_reset_before_response_started", reason, transportFailureReason);
    if (responseStarted) {
      info.setFlag(flag);
      info.setResponseCodeDetails(details);
      finish();
      down.resetStream();
      return;
    }
    finish();
    int status = reason == ResetReason.PROTOCOL_ERROR ? 502 : 503;
    StringBuilder body = new StringBuilder("upstream connect error or disconnect/reset before headers. ")
        .append("reset reason: ").append(reason.text());
    if (transportFailureReason != null && !transportFailureReason.isEmpty()) {
      body.append(", transport failure reason: ").append(transportFailureReason);
    }
    HttpHeaders extra = null;
    if (reason == ResetReason.OVERFLOW) {
      extra = new DefaultHttpHeaders().set("x-envoy-overloaded", "true");
    }
    down.sendLocalReply(status, body.toString(), details, flag, extra);
  }

  private void onRouteTimeout() {
    timeout = null;
    if (done) {
      return;
    }
    cluster.stats().upstreamRqTimeout.inc();
    UpstreamStream u = up;
    if (pendingConnect != null) {
      pendingConnect.cancel();
      pendingConnect = null;
    }
    if (u != null) {
      u.reset();
    }
    if (responseStarted) {
      info.setFlag(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
      finish();
      down.resetStream();
      return;
    }
    finish();
    down.sendLocalReply(504, "upstream request timeout", "response_timeout", ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
  }

  @Override
  public void onDownstreamReset() {
    if (done) {
      return;
    }
    if (pendingConnect != null) {
      pendingConnect.cancel();
      pendingConnect = null;
    }
    UpstreamStream u = up;
    finish();
    if (u != null) {
      u.reset();
    }
  }

  /** Ends the call: timers, counters, buffers. Idempotent. */
  private void finish() {
    if (done) {
      return;
    }
    done = true;
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
    if (up != null && !requestEnded) {
      up.reset(); // the response is complete but the request is not: Envoy resets the upstream
    }
    if (host != null) {
      host.requestFinished();
      cluster.stats().upstreamRqActive.dec();
      cluster.stats().upstreamRqCompleted.inc();
    }
    while (!queued.isEmpty()) {
      queued.poll().release();
    }
    if (queuedEnd != null) {
      queuedEnd.release();
      queuedEnd = null;
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
}
