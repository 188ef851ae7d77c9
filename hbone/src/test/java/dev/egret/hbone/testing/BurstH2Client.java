package dev.egret.hbone.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Writes raw HTTP/2 frames: the preface, an empty SETTINGS, then a burst of HEADERS frames in one
 * flush, before reading (or ACKing) anything from the server — what a client that ignores the
 * server's SETTINGS does. Reports each stream's answer as "headers:&lt;id&gt;:&lt;status&gt;" or
 * "rst:&lt;id&gt;:&lt;code&gt;".
 */
public final class BurstH2Client implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  public final LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();

  public BurstH2Client(int port, SslContext ssl) throws Exception {
    channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
            ch.pipeline().addLast(new ByteToMessageDecoder() {
              private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();

              @Override
              protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
                reader.readFrame(ctx, in, new Http2FrameAdapter() {
                  @Override
                  public void onHeadersRead(ChannelHandlerContext c, int id, Http2Headers h, int padding,
                      boolean end) {
                    answers.add("headers:" + id + ":" + h.status());
                  }

                  @Override
                  public void onHeadersRead(ChannelHandlerContext c, int id, Http2Headers h, int dep,
                      short weight, boolean excl, int padding, boolean end) {
                    onHeadersRead(c, id, h, padding, end);
                  }

                  @Override
                  public void onRstStreamRead(ChannelHandlerContext c, int id, long code) {
                    answers.add("rst:" + id + ":" + code);
                  }
                });
              }
            });
          }
        }).connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    channel.pipeline().get(SslHandler.class).handshakeFuture().get(10, TimeUnit.SECONDS);
  }

  /** Sends the preface, SETTINGS and {@code n} HEADERS (streams 1, 3, 5…) in one flush. */
  public void burst(int n, IntFunction<Http2Headers> headers) {
    channel.eventLoop().execute(() -> {
      ChannelHandlerContext ctx = channel.pipeline().lastContext();
      DefaultHttp2FrameWriter w = new DefaultHttp2FrameWriter();
      ctx.write(Http2CodecUtil.connectionPrefaceBuf());
      w.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
      for (int i = 0; i < n; i++) {
        w.writeHeaders(ctx, 1 + 2 * i, headers.apply(i), 0, false, ctx.newPromise());
      }
      ctx.flush();
    });
  }

  public String next() throws InterruptedException {
    String a = answers.poll(10, TimeUnit.SECONDS);
    if (a == null) {
      throw new AssertionError("no answer within 10 s");
    }
    return a;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
