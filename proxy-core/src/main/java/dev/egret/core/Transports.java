package dev.egret.core;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * Picks the socket transport: native epoll when its library loads and links, Java NIO otherwise.
 * Setting the system property {@code egret.transport=nio} forces NIO.
 *
 * <p>{@code Epoll.isAvailable()} alone is not enough: a native library from another Netty release
 * loads, then fails at the first call whose JNI signature changed. So the probe also initialises
 * the class that binds errno constants, which touches the native symbols every socket call needs.
 */
public final class Transports {
  private static final Throwable EPOLL_PROBLEM = probeEpoll();
  private static final boolean EPOLL =
      !"nio".equalsIgnoreCase(System.getProperty("egret.transport")) && EPOLL_PROBLEM == null;

  private static Throwable probeEpoll() {
    if (!Epoll.isAvailable()) {
      return Epoll.unavailabilityCause();
    }
    try {
      Class.forName("io.netty.channel.unix.Errors", true, Transports.class.getClassLoader());
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  private Transports() {}

  public static boolean epoll() {
    return EPOLL;
  }

  public static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  /** Why epoll is not used, or null when it is. */
  public static Throwable epollUnavailabilityCause() {
    return EPOLL_PROBLEM;
  }

  public static EventLoopGroup newGroup(int threads, ThreadFactory factory) {
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, factory, io);
  }

  public static Class<? extends ServerSocketChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
