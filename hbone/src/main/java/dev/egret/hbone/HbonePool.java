package dev.egret.hbone;

import dev.egret.core.tls.UpstreamTls;
import dev.egret.core.tunnel.BytePipe;
import dev.egret.core.tunnel.PipeOpener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The HBONE connections of one event loop to one peer (a ztunnel on port 15008). A CONNECT goes on
 * the first connection with a spare stream; when none has one, a new connection is opened and the
 * CONNECT waits for it (one new connection per {@code maxStreamsPerConnection} waiting CONNECTs).
 * Used only on its event loop.
 */
final class HbonePool implements HboneConnection.Events {
  private final EventLoop loop;
  private final InetSocketAddress address;
  private final UpstreamTls tls;
  private final HboneClientSettings settings;
  private final HboneConnector.Counters counters;
  private final List<HboneConnection> connections = new ArrayList<>(2);
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int connecting;
  private boolean closed;

  HbonePool(EventLoop loop, InetSocketAddress address, UpstreamTls tls, HboneClientSettings settings,
      HboneConnector.Counters counters) {
    this.loop = loop;
    this.address = address;
    this.tls = tls;
    this.settings = settings;
    this.counters = counters;
  }

  /** A CONNECT waiting for a connection, until it is attached to one. */
  private final class Waiting implements PipeOpener.Cancellable {
    final HboneStream stream;
    final PipeOpener.Callback callback;
    boolean attached;

    Waiting(HboneStream stream, PipeOpener.Callback callback) {
      this.stream = stream;
      this.callback = callback;
    }

    @Override
    public void cancel() {
      if (attached) {
        stream.cancel();
      } else {
        waiting.remove(this);
      }
    }
  }

  PipeOpener.Cancellable open(String authority, Http2Headers headers, BytePipe.Listener listener,
      PipeOpener.Callback callback) {
    assert loop.inEventLoop();
    Waiting w = new Waiting(new HboneStream(authority, headers, listener, callback), callback);
    if (closed) {
      callback.onFailure(dev.egret.core.pool.ResetReason.LOCAL_CONNECTION_FAILURE, "HBONE client closed");
      return w;
    }
    HboneConnection c = withSpareStream();
    if (c != null) {
      attach(c, w);
      return w;
    }
    waiting.add(w);
    connectIfNeeded();
    return w;
  }

  private HboneConnection withSpareStream() {
    for (HboneConnection c : connections) {
      if (c.spareStreams() > 0) {
        return c;
      }
    }
    return null;
  }

  private void attach(HboneConnection c, Waiting w) {
    w.attached = true;
    c.open(w.stream);
  }

  private void connectIfNeeded() {
    // each connection being made will take up to maxStreamsPerConnection of the waiting CONNECTs
    while (!closed && waiting.size() > (long) connecting * settings.maxStreamsPerConnection()) {
      connecting++;
      counters.opened();
      HboneConnection c = new HboneConnection(loop, address, settings, this);
      connections.add(c);
      c.connect(tls);
    }
  }

  private void serveWaiting() {
    while (!waiting.isEmpty()) {
      HboneConnection c = withSpareStream();
      if (c == null) {
        break;
      }
      attach(c, waiting.poll());
    }
    connectIfNeeded();
  }

  @Override
  public void ready(HboneConnection c) {
    connecting--;
    serveWaiting();
  }

  @Override
  public void connectFailed(HboneConnection c, Throwable cause) {
    connecting--;
    connections.remove(c);
    counters.closed();
    // the CONNECTs this connection was for fail with it, as a connect failure
    int n = Math.min(waiting.size(), settings.maxStreamsPerConnection());
    String reason = HboneConnection.failureReason(cause);
    dev.egret.core.pool.ResetReason reset = HboneConnection.resetReason(cause);
    for (int i = 0; i < n; i++) {
      waiting.poll().callback.onFailure(reset, reason);
    }
  }

  @Override
  public void streamClosed(HboneConnection c) {
    serveWaiting();
  }

  @Override
  public void closed(HboneConnection c) {
    if (connections.remove(c)) {
      counters.closed();
    }
    serveWaiting();
  }

  /** Connections open or being opened. */
  int connectionCount() {
    return connections.size();
  }

  void close() {
    closed = true;
    for (HboneConnection c : List.copyOf(connections)) {
      c.close();
    }
  }
}
