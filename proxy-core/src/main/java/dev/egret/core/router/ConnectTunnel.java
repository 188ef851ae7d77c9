package dev.egret.core.router;

import dev.egret.core.http.DownstreamStream;
import dev.egret.core.http.RequestHandler;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeOpener;
import dev.egret.core.upstream.Host;
import dev.egret.core.upstream.OutlierDetector;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The router's CONNECT mode ({@code upgrade_configs: [{upgrade_type: CONNECT, connect_config: {}}]}):
 * terminates a CONNECT request and relays the stream's bytes to a host of the route's cluster over a
 * {@link BytePipe} (plain TCP or TLS by default; the cluster may supply another transport, e.g. an
 * internal listener, through {@link ClusterRuntime#pipeOpener}).
 *
 * <ul>
 *   <li>200 (HEADERS without END_STREAM) once the pipe is open; a failure to open is 503 with flag
 *       {@code UF} and details {@code upstream_reset_before_response_started{<reason>|<tfr>}}, as one
 *       HEADERS frame with END_STREAM; no host is 503 {@code UH}.</li>
 *   <li>Bytes flow both ways with backpressure: a side is read only while the other side is
 *       writable.</li>
 *   <li>Half-close: the request's END_STREAM becomes a FIN upstream; the upstream's FIN an empty DATA
 *       frame with END_STREAM. The stream ends when both have ended.</li>
 *   <li>A client RST_STREAM(NO_ERROR or CANCEL) closes the upstream normally; any other code, or the
 *       client going away, resets it. An upstream reset or error becomes RST_STREAM(CONNECT_ERROR)
 *       with flag {@code UC}.</li>
 * </ul>
 * The route timeout does not apply to tunnels (they may last hours); the stream idle timeout and
 * {@code max_stream_duration} do.
 */
final class ConnectTunnel implements RequestHandler, BytePipe.Listener, PipeOpener.Callback {
  private static final long NO_ERROR = 0;
  private static final long CANCEL = 8;

  private final DownstreamStream down;
  private final StreamInfo info;
  private final ClusterRuntime cluster;
  private Host host;
  private PipeOpener.Cancellable pending;
  private BytePipe pipe;
  private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2); // request bytes read before the pipe opened
  private boolean requestEnded;
  private boolean done;

  ConnectTunnel(DownstreamStream down, ClusterRuntime cluster) {
    this.down = down;
    this.info = down.info();
    this.cluster = cluster;
  }

  /** Starts connecting; returns null when the request was answered at once. */
  RequestHandler start() {
    info.setUpstreamCluster(cluster.name(), cluster.altStatName());
    host = cluster.chooseHost(new dev.egret.core.upstream.LbContext(info.downstreamLocalAddress(),
        info.request() == null ? null : info.request().headers(), info.dynamicMetadata()));
    if (host == null) {
      done = true;
      down.sendLocalReply(503, "", "no_healthy_upstream", ResponseFlag.NO_HEALTHY_UPSTREAM);
      return null;
    }
    info.setAttemptCount(1);
    info.setUpstreamHost(host.addressString());
    host.requestStarted();
    cluster.stats().upstreamRqTotal.inc();
    cluster.stats().upstreamRqActive.inc();
    cluster.stats().upstreamCxTotal.inc();
    // the stream's shared filter state (Istio: original destination, peer principal) goes with the tunnel
    PipeOpener.Cancellable c = cluster.pipeOpener(host, info.filterState().sharedWithUpstream())
        .open(down.eventLoop(), this, this);
    if (pipe == null && !done) {
      pending = c;
    }
    return done ? null : this;
  }

  // ---------------------------------------------------------------- opening

  @Override
  public void onOpen(BytePipe p) {
    pending = null;
    if (done) {
      p.reset();
      return;
    }
    pipe = p;
    cluster.stats().upstreamCxActive.inc();
    cluster.outlier().reportLocalOrigin(host, OutlierDetector.LocalOriginResult.CONNECT_SUCCESS);
    InetSocketAddress local = p.localAddress();
    if (local != null) {
      info.setUpstreamLocalAddress(local.getAddress().getHostAddress() + ":" + local.getPort());
    }
    info.markUpstreamHeaders(System.nanoTime());
    info.setResponseCodeDetails("via_upstream");
    down.markTunnel();
    down.sendResponseHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    down.flush();
    while (!early.isEmpty()) {
      pipe.write(early.poll());
    }
    pipe.flush();
    if (requestEnded) {
      pipe.halfClose();
    } else if (pipe.isWritable()) {
      down.readMoreRequest();
    }
    pipe.read();
  }

  @Override
  public void onFailure(ResetReason reason, String transportFailureReason) {
    pending = null;
    if (done) {
      return;
    }
    cluster.stats().upstreamCxConnectFail.inc();
    if (reason == ResetReason.CONNECTION_TIMEOUT) {
      cluster.stats().upstreamCxConnectTimeout.inc();
    }
    cluster.outlier().reportLocalOrigin(host, OutlierDetector.LocalOriginResult.CONNECT_FAILED);
    info.setUpstreamTransportFailureReason(transportFailureReason);
    finish();
    down.sendLocalReply(503, "", UpstreamCall.resetDetails("upstream_reset_before_response_started", reason,
        transportFailureReason), UpstreamCall.flagFor(reason));
  }

  // ---------------------------------------------------------------- downstream → upstream

  @Override
  public void onRequestData(HttpContent content) {
    ByteBuf buf = content.content();
    if (done) {
      content.release();
      return;
    }
    if (pipe == null) {
      early.add(buf); // at most one read's worth: nothing more is read until the pipe opens
      return;
    }
    pipe.write(buf);
    pipe.flush();
    if (pipe.isWritable()) {
      down.readMoreRequest();
    }
  }

  @Override
  public void onRequestEnd(LastHttpContent last) {
    requestEnded = true;
    if (done) {
      last.release();
      return;
    }
    if (last.content().isReadable()) {
      onRequestData(last);
    } else {
      last.release();
    }
    if (pipe != null) {
      pipe.halfClose();
    }
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    if (writable && !done && !requestEnded) {
      down.readMoreRequest();
    }
  }

  @Override
  public void onDownstreamReset() {
    if (done) {
      return;
    }
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    BytePipe p = pipe;
    finish();
    if (p != null) {
      long code = down.downstreamResetCode();
      if (code == NO_ERROR || code == CANCEL) {
        p.close(); // a clean end of the client's input (hbone.md §8.4)
      } else {
        p.reset();
      }
    }
  }

  // ---------------------------------------------------------------- upstream → downstream

  @Override
  public void onData(ByteBuf data) {
    if (done) {
      data.release();
      return;
    }
    down.sendResponseData(new DefaultHttpContent(data));
    if (down.isWritable()) {
      pipe.read();
    }
  }

  @Override
  public void onEnd() {
    if (done) {
      return;
    }
    down.sendResponseEnd(LastHttpContent.EMPTY_LAST_CONTENT);
    if (requestEnded) {
      finish();
    }
  }

  @Override
  public void onClosed(boolean graceful) {
    if (done) {
      return;
    }
    finish();
    if (!graceful) {
      info.setFlag(ResponseFlag.UPSTREAM_CONNECTION_TERMINATION);
      info.setResponseCodeDetails("upstream_reset_after_response_started{connection_termination}");
      down.resetTunnel();
    }
  }

  @Override
  public void onDownstreamWritabilityChanged(boolean writable) {
    if (writable && pipe != null && !done) {
      pipe.read();
    }
  }

  /** Bookkeeping once the tunnel is over, however it ended. Idempotent. */
  private void finish() {
    if (done) {
      return;
    }
    done = true;
    while (!early.isEmpty()) {
      early.poll().release();
    }
    host.requestFinished();
    cluster.stats().upstreamRqActive.dec();
    cluster.stats().upstreamRqCompleted.inc();
    if (pipe != null) {
      cluster.stats().upstreamCxActive.dec();
    }
  }
}
