package dev.egret.core.tcp;

import dev.egret.core.http.ConnectionInfo;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.TcpStats;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import dev.egret.core.upstream.Host;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One downstream connection through {@code tcp_proxy}: picks the cluster and host, connects (retrying
 * up to {@code max_connect_attempts}), then pumps bytes both ways on the connection's event loop.
 *
 * <p>Flow control: both channels have auto-read off; each side is read again only while the other
 * side is writable (below its {@code per_connection_buffer_limit_bytes} high-water mark), so memory
 * per connection stays bounded whatever the speeds. Half-close travels both ways (end of input on one
 * side shuts down output on the other once what came before it is flushed); the connection ends when
 * both directions have, or when either side closes: an upstream close flushes what is left towards
 * the downstream first, a downstream close lets the upstream finish flushing ({@code
 * upstream_flush_total}).
 *
 * <p>Failures close the downstream connection and are logged as Envoy logs them: {@code UF} and the
 * transport failure reason for a failed connect, then {@code URX} when the attempts are used up;
 * {@code UH} without a host; {@code UO} at the {@code max_connections} circuit breaker; {@code NC} for
 * an unknown cluster; {@code DT} at {@code max_downstream_connection_duration}.
 */
final class TcpProxySession implements TcpUpstreamConnector.Callback {
  private final TcpProxyConfig config;
  private final TcpStats stats;
  private final Channel down;
  private final ConnectionInfo connection;
  private final StreamInfo info;
  private ClusterRuntime cluster;
  private TcpUpstream upstream;
  private Channel up;
  private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2); // read before the upstream connected
  private int attempts;
  private boolean downstreamEnded; // end of input from downstream
  private boolean upstreamEnded; // end of input from upstream
  private boolean downPaused;
  private boolean closed;
  private long lastActivityNanos;
  private ScheduledFuture<?> idleTimer;
  private ScheduledFuture<?> durationTimer;
  private ScheduledFuture<?> flushTimer;

  TcpProxySession(TcpProxyConfig config, Channel down, ConnectionInfo connection, StreamInfo info) {
    this.config = config;
    this.stats = config.stats();
    this.down = down;
    this.connection = connection;
    this.info = info;
  }

  void start() {
    stats.downstreamCxTotal.inc();
    down.config().setAutoRead(false);
    down.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    down.pipeline().addLast("egret-tcp-proxy", new DownstreamHandler());
    down.closeFuture().addListener(f -> onDownstreamClosed());
    if (config.maxDurationMillis() > 0) {
      durationTimer = down.eventLoop().schedule(this::onMaxDuration, config.maxDurationMillis(),
          TimeUnit.MILLISECONDS);
    }
    if (config.flushIntervalMillis() > 0) {
      long every = config.flushIntervalMillis();
      flushTimer = down.eventLoop().scheduleAtFixedRate(
          () -> config.log(InfoSnapshot.of(info, System.nanoTime())), every, every, TimeUnit.MILLISECONDS);
    }
    String name = config.clusters().pick(ThreadLocalRandom.current());
    cluster = config.clusterRuntimes().get(name);
    if (cluster == null) {
      stats.downstreamCxNoRoute.inc();
      info.setFlag(ResponseFlag.NO_CLUSTER_FOUND);
      down.close();
      return;
    }
    info.setUpstreamCluster(cluster.name(), cluster.altStatName());
    connectAttempt();
  }

  private void connectAttempt() {
    Host host = cluster.chooseHost(new dev.egret.core.upstream.LbContext(info.downstreamLocalAddress(), null,
        info.dynamicMetadata()));
    if (host == null) {
      info.setFlag(ResponseFlag.NO_HEALTHY_UPSTREAM);
      down.close();
      return;
    }
    attempts++;
    info.setAttemptCount(attempts);
    info.setUpstreamHost(host.addressString());
    config.connector().connect(new TcpUpstreamConnector.ConnectRequest(cluster, host, down.eventLoop(),
        connection, info, cluster.config().perConnectionBufferLimitBytes()), this);
  }

  // ---------------------------------------------------------------- connecting

  @Override
  public void onFailure(ResponseFlag flag, String transportFailureReason) {
    if (closed) {
      return;
    }
    info.setFlag(flag);
    if (flag == ResponseFlag.UPSTREAM_CONNECTION_FAILURE) {
      info.setUpstreamTransportFailureReason(transportFailureReason);
      if (attempts < config.maxConnectAttempts()) {
        connectAttempt();
        return;
      }
      info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    }
    down.close();
  }

  @Override
  public void onConnected(TcpUpstream u) {
    if (closed) {
      u.channel().close();
      return;
    }
    upstream = u;
    up = u.channel();
    info.setUpstreamLocalAddress(u.localAddress());
    up.pipeline().addLast("egret-tcp-proxy", new UpstreamHandler());
    up.closeFuture().addListener(f -> onUpstreamClosed());
    ByteBuf b;
    while ((b = early.poll()) != null) {
      up.write(b);
    }
    up.flush();
    if (downstreamEnded) {
      halfCloseUpstream();
    }
    if (config.flushOnConnected()) {
      config.log(InfoSnapshot.of(info, System.nanoTime()));
    }
    lastActivityNanos = System.nanoTime();
    if (config.idleTimeoutMillis() > 0) {
      idleTimer = down.eventLoop().schedule(this::checkIdle, config.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
    }
    up.read();
    readDownstream();
  }

  // ---------------------------------------------------------------- pumping

  private void readDownstream() {
    if (closed || downstreamEnded || up == null) {
      return;
    }
    if (up.isWritable()) {
      down.read();
    } else if (!downPaused) {
      downPaused = true;
      stats.downstreamFlowControlPausedReadingTotal.inc();
    }
  }

  private void readUpstream() {
    if (closed || upstreamEnded || up == null) {
      return;
    }
    if (down.isWritable()) {
      up.read();
    } // else: resumed when the downstream drains (DownstreamHandler.channelWritabilityChanged)
  }

  private void halfCloseUpstream() {
    up.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> upstream.shutdownOutput());
    closeIfBothEnded();
  }

  private void closeIfBothEnded() {
    if (downstreamEnded && upstreamEnded) {
      down.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private final class DownstreamHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf) || closed) {
        ReferenceCountUtil.release(msg);
        return;
      }
      int n = buf.readableBytes();
      info.addBytesReceived(n);
      stats.downstreamCxRxBytesTotal.add(n);
      lastActivityNanos = System.nanoTime();
      if (up == null) {
        early.add(buf);
      } else {
        up.write(buf);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (up != null) {
        up.flush();
        readDownstream();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        if (downstreamEnded) {
          return;
        }
        downstreamEnded = true;
        if (up != null) {
          halfCloseUpstream();
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        readUpstream();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf) || closed) {
        ReferenceCountUtil.release(msg);
        return;
      }
      int n = buf.readableBytes();
      info.addBytesSent(n);
      stats.downstreamCxTxBytesTotal.add(n);
      lastActivityNanos = System.nanoTime();
      down.write(buf);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      down.flush();
      readUpstream();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        if (upstreamEnded) {
          return;
        }
        upstreamEnded = true;
        down.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
          if (down instanceof DuplexChannel d) {
            d.shutdownOutput();
          }
        });
        closeIfBothEnded();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && downPaused) {
        downPaused = false;
        stats.downstreamFlowControlResumedReadingTotal.inc();
        readDownstream();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  // ---------------------------------------------------------------- timers and the end

  private void checkIdle() {
    if (closed) {
      return;
    }
    long idleNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis());
    long quiet = System.nanoTime() - lastActivityNanos;
    if (quiet >= idleNanos) {
      stats.idleTimeout.inc();
      closeBoth();
      return;
    }
    idleTimer = down.eventLoop().schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
  }

  private void onMaxDuration() {
    if (closed) {
      return;
    }
    stats.maxDownstreamConnectionDuration.inc();
    info.setFlag(ResponseFlag.DURATION_TIMEOUT);
    closeBoth();
  }

  private void closeBoth() {
    if (up != null) {
      up.close();
    }
    down.close();
  }

  /** The upstream closed: what it sent still goes downstream, then the downstream closes. */
  private void onUpstreamClosed() {
    if (closed) {
      return;
    }
    down.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** The downstream closed: the entry is logged; the upstream gets what is still queued for it. */
  private void onDownstreamClosed() {
    if (closed) {
      return;
    }
    closed = true;
    info.markEnd(System.nanoTime());
    cancel(idleTimer);
    cancel(durationTimer);
    cancel(flushTimer);
    ByteBuf b;
    while ((b = early.poll()) != null) {
      b.release();
    }
    if (up != null && up.isActive()) {
      if (up.unsafe().outboundBuffer() != null && up.unsafe().outboundBuffer().totalPendingWriteBytes() > 0) {
        stats.upstreamFlushTotal.inc();
        stats.upstreamFlushActive.inc();
        up.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
          stats.upstreamFlushActive.dec();
          up.close();
        });
      } else {
        up.close();
      }
    }
    config.log(info);
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
