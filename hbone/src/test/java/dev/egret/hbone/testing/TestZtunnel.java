package dev.egret.hbone.testing;

import dev.egret.core.http.ConnectAuthority;
import dev.egret.core.tls.DownstreamTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A destination ztunnel for HBONE client tests (after istio/ztunnel's inbound rules, hbone.md
 * §12.1): mutual TLS with ALPN h2, advertises 200 concurrent streams, and per CONNECT: not CONNECT
 * or an unparsable {@code :authority} → 400; an IP authority that differs from the TCP destination
 * IP → 400; authority port {@value #REFUSE_PORT} → 503; otherwise 200 after which it echoes DATA and
 * answers END_STREAM with END_STREAM (it plays the application too). Records each CONNECT as
 * "&lt;authority&gt; &lt;client URI SAN&gt;".
 */
public final class TestZtunnel implements AutoCloseable {
  public static final int REFUSE_PORT = 503;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  public final LinkedBlockingQueue<String> connects = new LinkedBlockingQueue<>();

  public TestZtunnel(SslContext serverTls) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.incrementAndGet();
            SslHandler ssl = serverTls.newHandler(ch.alloc());
            ch.pipeline().addLast(ssl);
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(200)).build());
            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new StreamHandler(ch, ssl));
              }
            }));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a refused handshake: expected in the trust-domain tests
              }
            });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final SocketChannel connection;
    private final SslHandler ssl;

    StreamHandler(SocketChannel connection, SslHandler ssl) {
      this.connection = connection;
      this.ssl = ssl;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame h) {
        String authority = String.valueOf(h.headers().authority());
        connects.add(authority + " " + DownstreamTls.peerUriSan(ssl.engine().getSession()));
        ConnectAuthority a = ConnectAuthority.parse(authority);
        String destinationIp = connection.localAddress().getAddress().getHostAddress();
        int status = !"CONNECT".contentEquals(h.headers().method()) || a == null ? 400
            : a.ip() && !a.host().equals(destinationIp) ? 400
            : a.port() == REFUSE_PORT ? 503 : 200;
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(String.valueOf(status)),
            status != 200));
      } else if (msg instanceof Http2DataFrame d) {
        ctx.writeAndFlush(new DefaultHttp2DataFrame(d.content().retain(), d.isEndStream()));
      }
      ReferenceCountUtil.release(msg);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  public String nextConnect() throws InterruptedException {
    String c = connects.poll(10, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no CONNECT within 10 s");
    }
    return c;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
