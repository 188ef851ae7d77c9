package dev.egret.core.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An HTTP/2 client with prior knowledge (h2c) for tests; one request per stream on one connection. */
public final class H2cClient implements AutoCloseable {
  /** What came back. */
  public record Response(int status, String body, String server, String overloaded) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private Http2FrameCodec codec;

  public H2cClient(int port) throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            codec = Http2FrameCodecBuilder.forClient().build();
            ch.pipeline().addLast(codec);
            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
  }

  public Response get(String authority, String path) throws Exception {
    return getAsync(authority, path).get(10, TimeUnit.SECONDS);
  }

  /** Sends a GET on a new stream of the shared connection; completes with the whole response. */
  public CompletableFuture<Response> getAsync(String authority, String path) throws Exception {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false));
            ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
            ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                result.complete(new Response(r.status().code(), r.content().toString(StandardCharsets.UTF_8),
                    r.headers().get("server"), r.headers().get("x-envoy-overloaded")));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                result.completeExceptionally(cause);
              }
            });
          }
        }).open().sync().getNow();
    DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    req.headers().set("host", authority);
    stream.writeAndFlush(req);
    return result;
  }

  /** How many bytes the server lets this client send on the connection (its connection window). */
  public int connectionSendWindow() throws Exception {
    return channel.eventLoop().submit(() -> codec.connection().remote().flowController()
        .windowSize(codec.connection().connectionStream())).get(5, TimeUnit.SECONDS);
  }

  /** Whether the server sent GOAWAY on this connection. */
  public boolean goAwayReceived() throws Exception {
    return channel.eventLoop().submit(() -> codec.connection().goAwayReceived()).get(5, TimeUnit.SECONDS);
  }

  /** Whether the connection is still open. */
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
