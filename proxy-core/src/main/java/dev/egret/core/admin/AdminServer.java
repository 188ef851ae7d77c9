package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.Closeable;
import java.net.InetSocketAddress;

/**
 * Egret's admin HTTP/1.1 server, a subset of Envoy's admin interface: {@code /ready},
 * {@code /stats}, {@code /stats/prometheus}, {@code /config_dump}, {@code /clusters},
 * {@code /access_log}, {@code /quitquitquit}, {@code /server_info}, {@code /help}. Requests are
 * aggregated (64 KiB limit)
 * and answered on the caller's event loop group, so that group should not be a data-path worker
 * group: {@code /config_dump} of a large configuration takes milliseconds. Bind it to loopback (the
 * bootstrap's {@code admin.address}); it has no authentication, like Envoy's.
 *
 * <p>Uses epoll channels when the group runs {@link EpollIoHandler}s and epoll is available, NIO
 * otherwise. {@link #close()} stops listening and closes open admin connections.
 */
public final class AdminServer implements Closeable {
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final Channel server;
  private final ChannelGroup connections;
  private final EventLoopGroup group;

  private AdminServer(Channel server, ChannelGroup connections, EventLoopGroup group) {
    this.server = server;
    this.connections = connections;
    this.group = group;
  }

  /**
   * Binds and starts serving. Blocks until bound, so it must not be called on an event loop.
   *
   * @throws RuntimeException the bind failure (address in use, permission…)
   */
  public static AdminServer start(InetSocketAddress bind, EventLoopGroup group, AdminContext ctx) {
    requireNonNull(bind, "bind");
    requireNonNull(group, "group");
    requireNonNull(ctx, "ctx");
    ChannelGroup connections = new DefaultChannelGroup("egret-admin", ImmediateEventExecutor.INSTANCE);
    Channel server = new ServerBootstrap()
        .group(group)
        .channel(serverChannelClass(group))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast(new AdminHandler(ctx));
          }
        })
        .bind(bind)
        .syncUninterruptibly()
        .channel();
    return new AdminServer(server, connections, group);
  }

  /** A one-thread group suited to the admin server: epoll when available, NIO otherwise. */
  public static EventLoopGroup newEventLoopGroup() {
    return new MultiThreadIoEventLoopGroup(1,
        Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** The bound address (the real port when bound to port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.localAddress();
  }

  /**
   * Stops accepting and closes every open admin connection. Waits for both unless called on one of
   * the group's event loops (as from {@link AdminContext#quit()}), where it only starts them.
   */
  @Override
  public void close() {
    ChannelFuture listener = server.close();
    ChannelGroupFuture open = connections.close();
    for (EventExecutor e : group) {
      if (e.inEventLoop()) {
        return;
      }
    }
    listener.syncUninterruptibly();
    open.awaitUninterruptibly();
  }

  private static Class<? extends ServerChannel> serverChannelClass(EventLoopGroup group) {
    if (Epoll.isAvailable() && group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
      return EpollServerSocketChannel.class;
    }
    return NioServerSocketChannel.class;
  }
}
