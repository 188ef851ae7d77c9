package dev.egret.core.tcp;

import dev.egret.core.stream.FilterState;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.stats.ClusterStats;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.tls.TransportFailure;
import dev.egret.core.upstream.CircuitBreakers;
import dev.egret.core.upstream.Host;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;

/**
 * Connects {@code tcp_proxy} straight to the chosen host: a new TCP connection on the downstream's
 * event loop, with the cluster's {@code connect_timeout} and, when the cluster has one, its TLS
 * transport socket (the handshake is part of connecting). Counts {@code upstream_cx_total},
 * {@code upstream_cx_active}, {@code upstream_cx_connect_fail}, {@code upstream_cx_connect_timeout}
 * and {@code upstream_cx_overflow} as the HTTP path does.
 */
public final class DirectTcpConnector implements TcpUpstreamConnector {
  public static final DirectTcpConnector INSTANCE = new DirectTcpConnector();
  private static final String CONNECT_ERRORS = "egret-connect-errors";

  private DirectTcpConnector() {}

  @Override
  public void connect(ConnectRequest req, Callback callback) {
    ClusterRuntime cluster = req.cluster();
    CircuitBreakers breakers = cluster.breakers();
    ClusterStats stats = cluster.stats();
    if (!breakers.canOpenConnection()) {
      stats.upstreamCxOverflow.inc();
      callback.onFailure(ResponseFlag.UPSTREAM_OVERFLOW, null);
      return;
    }
    breakers.connectionOpened();
    stats.upstreamCxTotal.inc();
    Host host = req.host();
    int limit = Math.max(2, req.bufferLimitBytes());
    // the filter state a connection shares reaches an internal listener it connects to
    FilterState shared = req.info().filterState().sharedWithUpstream();
    ChannelFuture f = cluster.connector(host, shared).connect(req.loop(), new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(limit / 2, limit));
        SslHandler ssl = cluster.newTlsHandler(ch.alloc(), host);
        if (ssl != null) {
          ch.pipeline().addLast("egret-tls", ssl);
        }
        ch.pipeline().addLast(CONNECT_ERRORS, new ChannelInboundHandlerAdapter() {
          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a failed handshake: reported through its future
          }
        });
      }
    }, Math.max(1, cluster.config().connectTimeout().toMillis()));
    f.addListener((ChannelFuture cf) -> {
      if (!cf.isSuccess()) {
        breakers.connectionClosed();
        failed(stats, cf.cause(), callback);
        return;
      }
      Channel ch = cf.channel();
      ch.closeFuture().addListener(x -> breakers.connectionClosed());
      SslHandler ssl = ch.pipeline().get(SslHandler.class);
      if (ssl == null) {
        established(stats, host, ch, callback);
        return;
      }
      ch.read(); // the handshake needs inbound bytes even with auto-read off
      ssl.handshakeFuture().addListener(hf -> {
        if (!hf.isSuccess()) {
          ch.close();
          failed(stats, hf.cause(), callback);
          return;
        }
        established(stats, host, ch, callback);
      });
    });
  }

  private static void failed(ClusterStats stats, Throwable cause, Callback callback) {
    stats.upstreamCxConnectFail.inc();
    if (cause instanceof ConnectTimeoutException) {
      stats.upstreamCxConnectTimeout.inc();
    }
    callback.onFailure(ResponseFlag.UPSTREAM_CONNECTION_FAILURE, TransportFailure.reason(cause));
  }

  private static void established(ClusterStats stats, Host host, Channel ch, Callback callback) {
    ch.pipeline().remove(CONNECT_ERRORS);
    stats.upstreamCxActive.inc();
    host.connectionOpened();
    ch.closeFuture().addListener(x -> {
      stats.upstreamCxActive.dec();
      stats.upstreamCxDestroy.inc();
      host.connectionClosed();
    });
    callback.onConnected(new SocketUpstream(ch));
  }

  /** A TCP or TLS socket as a {@link TcpUpstream}. */
  private record SocketUpstream(Channel channel) implements TcpUpstream {
    @Override
    public void shutdownOutput() {
      SslHandler ssl = channel.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ssl.closeOutbound(); // close_notify: TLS has no half-close of its own
      } else if (channel instanceof DuplexChannel d) {
        d.shutdownOutput();
      }
    }

    @Override
    public String localAddress() {
      return channel.localAddress() instanceof InetSocketAddress a
          ? a.getAddress().getHostAddress() + ":" + a.getPort() : null;
    }
  }
}
