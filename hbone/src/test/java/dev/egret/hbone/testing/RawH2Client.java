package dev.egret.hbone.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A frame-level HTTP/2 client over TLS for HBONE tests: sends any HEADERS (a well-formed CONNECT or
 * a malformed one) and reports each stream's frames as they arrive, so a test can check exactly
 * what the server answered (status, END_STREAM, RST_STREAM code). Not a production client.
 */
public final class RawH2Client implements AutoCloseable {
  private final Channel channel;
  private final EventLoopGroup group;
  private final LinkedBlockingQueue<String> events;

  private RawH2Client(Channel channel, EventLoopGroup group, LinkedBlockingQueue<String> events) {
    this.channel = channel;
    this.group = group;
    this.events = events;
  }

  /**
   * Connects and completes the TLS handshake.
   *
   * @throws Exception the handshake failure (a refused certificate, protocol version, ALPN)
   */
  public static RawH2Client connect(int port, SslContext ssl) throws Exception {
    return connect(port, ssl, true);
  }

  /**
   * As {@link #connect(int, SslContext)}; with {@code answerPings} false the client never ACKs the
   * server's PINGs (a peer that went away without closing).
   */
  public static RawH2Client connect(int port, SslContext ssl, boolean answerPings) throws Exception {
    EventLoopGroup g = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    Channel ch = new Bootstrap().group(g).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().autoAckPingFrame(answerPings).build());
            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2GoAwayFrame g) {
                  events.add("goaway:" + g.errorCode());
                } else if (msg instanceof io.netty.handler.codec.http2.Http2PingFrame p && !p.ack()) {
                  events.add("ping");
                }
                ReferenceCountUtil.release(msg);
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                events.add("closed");
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a refused handshake: the tests look at what arrived before it
              }
            });
          }
        }).connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    try {
      ch.pipeline().get(SslHandler.class).handshakeFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      ch.close();
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw (Exception) e.getCause();
    }
    return new RawH2Client(ch, g, events);
  }

  /** Connection events ("ping", "goaway:<code>", "closed") in arrival order. */
  public String awaitConnectionEvent() throws InterruptedException {
    String e = events.poll(10, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no connection event within 10 s");
    }
    return e;
  }

  /** Whether the TLS connection is still open. */
  public boolean isOpen() {
    return channel.isActive();
  }

  /** Opens a stream and sends {@code headers}. */
  public Stream open(Http2Headers headers, boolean endStream) throws Exception {
    Stream s = new Stream();
    Http2StreamChannel ch = new Http2StreamChannelBootstrap(channel).handler(s).open().sync().getNow();
    s.ch = ch;
    ch.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream)).sync();
    return s;
  }

  /** One stream: what the server sent on it, as strings ("headers:200:end", "data:…", "end", "rst:<code>"). */
  public static final class Stream extends ChannelInboundHandlerAdapter {
    public final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private Http2StreamChannel ch;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame h) {
        frames.add("headers:" + h.headers().status() + (h.isEndStream() ? ":end" : ""));
      } else if (msg instanceof Http2DataFrame d) {
        if (d.content().isReadable()) {
          frames.add("data:" + d.content().toString(StandardCharsets.UTF_8));
        }
        if (d.isEndStream()) {
          frames.add("end");
        }
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame r) {
        frames.add("rst:" + r.errorCode());
      }
    }

    /** The next frame description; fails after 10 s. */
    public String next() throws InterruptedException {
      String f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame within 10 s");
      }
      return f;
    }

    /** Reads DATA until {@code n} bytes arrived (or another frame comes), returning the text. */
    public String readData(int n) throws InterruptedException {
      StringBuilder sb = new StringBuilder();
      while (sb.length() < n) {
        String f = next();
        if (!f.startsWith("data:")) {
          throw new AssertionError("expected data, got " + f + " after '" + sb + "'");
        }
        sb.append(f, 5, f.length());
      }
      return sb.toString();
    }

    public void send(String data, boolean endStream) {
      ch.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(data, StandardCharsets.UTF_8), endStream));
    }

    public void reset(Http2Error code) {
      ch.writeAndFlush(new DefaultHttp2ResetFrame(code));
    }
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
