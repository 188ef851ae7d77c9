package dev.egret.core.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/** A TLS server on 127.0.0.1 and a client dialer for the TLS tests; everything awaited with deadlines. */
final class TlsHarness implements AutoCloseable {
  /** What the server saw once its handshake finished. */
  record ServerView(String sni, String peerUriSan, String localUriSan, String alpn, Throwable failure) {}

  /** The client's outcome. */
  record ClientView(boolean ok, Throwable failure, String alpn, SSLSession session) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  EventLoopGroup group() {
    return group;
  }

  /** Starts a server whose first accepted connection completes {@code seen}. */
  Channel server(DownstreamTls tls, CompletableFuture<ServerView> seen) {
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            SslHandler ssl = tls.newHandler(ch.alloc());
            ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent e) {
                  SSLSession s = ssl.engine().getSession();
                  seen.complete(e.isSuccess()
                      ? new ServerView(sni(s), DownstreamTls.peerUriSan(s), DownstreamTls.localUriSan(s),
                          ssl.applicationProtocol(), null)
                      : new ServerView(null, null, null, null, e.cause()));
                }
                ctx.fireUserEventTriggered(evt);
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }

  /** Connects to {@code port} and returns the client outcome once the handshake ends. */
  ClientView connect(int port, Function<Channel, SslHandler> handler) throws Exception {
    CompletableFuture<ClientView> out = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<SslHandler> sslRef = new java.util.concurrent.atomic.AtomicReference<>();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            SslHandler ssl = handler.apply(ch);
            sslRef.set(ssl);
            ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // the outcome is read from the handshake future
              }
            });
          }
        });
    // the handshake is awaited only once connected: a failed connect also fails the handshake
    // future (the channel closes), and that must not be mistaken for a TLS failure
    b.connect("127.0.0.1", port).addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        out.complete(new ClientView(false, f.cause(), null, null));
        return;
      }
      SslHandler ssl = sslRef.get();
      ssl.handshakeFuture().addListener(h -> out.complete(new ClientView(h.isSuccess(), h.cause(),
          ssl.applicationProtocol(), ssl.engine().getSession())));
    });
    return out.get(10, TimeUnit.SECONDS);
  }

  private static String sni(SSLSession s) {
    if (s instanceof ExtendedSSLSession e) {
      for (SNIServerName n : e.getRequestedServerNames()) {
        if (n instanceof SNIHostName h) {
          return h.getAsciiName();
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
