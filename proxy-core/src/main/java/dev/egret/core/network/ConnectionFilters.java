package dev.egret.core.network;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.stream.StreamInfo;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a chain's network filters on one connection, in order, then starts its terminal filter. While
 * filters run, the connection does not read; bytes already read (a sniffed ClientHello, data that came
 * with the TLS handshake) are held by an {@link InboundHold} and handed to the terminal filter once it
 * has started. Used only on the connection's event loop.
 */
public final class ConnectionFilters implements NetworkFilterCallbacks {
  private final Channel channel;
  private final ConnectionInfo connection;
  private final StreamInfo info;
  private final List<NetworkFilter> filters;
  private final TerminalFilter terminal;
  private InboundHold hold;
  private int next; // index of the next filter to run; filters before it have seen the connection
  private boolean iterating;
  private boolean resumeRequested;
  private boolean closed;
  private boolean started;

  private ConnectionFilters(Channel channel, ConnectionInfo connection, StreamInfo info,
      List<NetworkFilter> filters, TerminalFilter terminal) {
    this.channel = channel;
    this.connection = connection;
    this.info = info;
    this.filters = filters;
    this.terminal = terminal;
  }

  /**
   * Runs {@code factories}' filters on the connection, then {@code terminal}. With no filters the
   * terminal starts at once, in this call.
   */
  public static void start(Channel ch, ConnectionInfo connection, StreamInfo info,
      List<NetworkFilterFactory> factories, TerminalFilter terminal) {
    requireNonNull(ch, "ch");
    requireNonNull(connection, "connection");
    requireNonNull(info, "info");
    requireNonNull(terminal, "terminal");
    if (factories.isEmpty()) {
      terminal.start(ch, connection, info);
      return;
    }
    List<NetworkFilter> filters = new ArrayList<>(factories.size());
    for (NetworkFilterFactory f : factories) {
      filters.add(f.newFilter());
    }
    ConnectionFilters run = new ConnectionFilters(ch, connection, info, filters, terminal);
    ch.config().setAutoRead(false);
    run.hold = new InboundHold();
    ch.pipeline().addLast("egret-network-hold", run.hold);
    ch.closeFuture().addListener(f -> run.onClosed());
    run.iterate();
  }

  private void iterate() {
    iterating = true;
    try {
      while (next < filters.size()) {
        resumeRequested = false;
        NetworkFilter.Status s = filters.get(next++).onNewConnection(this);
        if (closed || !channel.isActive()) {
          return;
        }
        if (s == NetworkFilter.Status.STOP && !resumeRequested) {
          return;
        }
      }
    } finally {
      iterating = false;
    }
    started = true;
    terminal.start(channel, connection, info);
    hold.release();
  }

  @Override
  public ConnectionInfo connection() {
    return connection;
  }

  @Override
  public StreamInfo info() {
    return info;
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public void continueConnection() {
    if (closed || started) {
      return;
    }
    if (iterating) {
      resumeRequested = true; // continued from inside onNewConnection: the loop goes on
      return;
    }
    if (!channel.isActive()) {
      return;
    }
    iterate();
  }

  @Override
  public void closeConnection(String terminationDetails) {
    if (closed) {
      return;
    }
    closed = true;
    if (terminationDetails != null) {
      info.setConnectionTerminationDetails(terminationDetails);
    }
    channel.close();
  }

  private void onClosed() {
    closed = true;
    for (int i = 0; i < next; i++) {
      try {
        filters.get(i).onConnectionClosed(this);
      } catch (RuntimeException e) {
        channel.pipeline().fireExceptionCaught(e);
      }
    }
    if (!started) {
      info.markEnd(System.nanoTime());
      terminal.closedBeforeStart(connection, info);
    }
  }
}
