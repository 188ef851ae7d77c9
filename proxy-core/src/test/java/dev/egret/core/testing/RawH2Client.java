package dev.egret.core.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An HTTP/2 client for attack tests: cleartext with prior knowledge, and every frame written exactly
 * as the test says (Netty's {@link DefaultHttp2FrameWriter} over a plain socket, no codec, no flow
 * control, no validation). What the server sends back is read with {@link DefaultHttp2FrameReader} and
 * recorded: GOAWAY, RST_STREAM, response statuses, PING ACKs.
 */
public final class RawH2Client implements AutoCloseable {
  /** A GOAWAY the server sent. */
  public record GoAway(int lastStreamId, long errorCode, String debugData) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final DefaultHttp2FrameWriter writer =
      new DefaultHttp2FrameWriter(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
  private final Map<Integer, Long> resets = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
  private final AtomicInteger pingAcks = new AtomicInteger();
  private volatile ChannelHandlerContext ctx;

  /** Connects; {@code receiveBufferBytes} > 0 shrinks the socket's receive buffer (a slow reader). */
  public RawH2Client(int port, boolean autoRead, int receiveBufferBytes) throws InterruptedException {
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, autoRead)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new Reader());
          }
        });
    if (receiveBufferBytes > 0) {
      b.option(ChannelOption.SO_RCVBUF, receiveBufferBytes);
    }
    channel = b.connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
  }

  public RawH2Client(int port) throws InterruptedException {
    this(port, true, 0);
  }

  /** The operations a batch may do; all run on the client's event loop, flushed once at the end. */
  public interface Frames {
    void preface(Http2Settings settings);

    void headers(int streamId, Http2Headers headers, boolean endStream);

    /** A frame of any type with exactly this payload. */
    void frame(int type, int streamId, int flags, ByteBuf payload);

    void rst(int streamId, long errorCode);

    void ping(long data);

    void settings(Http2Settings settings);

    void priority(int streamId, int dependency);

    void windowUpdate(int streamId, int increment);

    void data(int streamId, ByteBuf data, boolean endStream);

    /** HPACK-encodes with this connection's encoder (its dynamic table stays in step with the server's). */
    ByteBuf encode(int streamId, Http2Headers headers);
  }

  /** Runs {@code batch} on the event loop and flushes; waits until it has been written to the socket buffer. */
  public void send(Consumer<Frames> batch) throws Exception {
    channel.eventLoop().submit(() -> {
      batch.accept(new Ops(ctx));
      ctx.flush();
    }).get(10, TimeUnit.SECONDS);
  }

  /** The connection preface with empty SETTINGS. */
  public void preface() throws Exception {
    send(f -> f.preface(new Http2Settings()));
  }

  public static Http2Headers get(String authority, String path) {
    return new DefaultHttp2Headers().method("GET").scheme("http").authority(authority).path(path);
  }

  public GoAway awaitGoAway(Duration timeout) throws Exception {
    return goAway.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether a GOAWAY has arrived (without waiting). */
  public boolean goAwayReceived() {
    return goAway.isDone();
  }

  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return channel.closeFuture().await(timeout.toMillis());
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** Starts reading (for a client made with autoRead off). */
  public void startReading() {
    channel.config().setAutoRead(true);
  }

  /** The response status of a stream, or null. */
  public Integer status(int streamId) {
    return statuses.get(streamId);
  }

  /** The RST_STREAM error code the server sent for a stream, or null. */
  public Long reset(int streamId) {
    return resets.get(streamId);
  }

  public int resetCount() {
    return resets.size();
  }

  public int pingAcks() {
    return pingAcks.get();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private final class Ops implements Frames {
    private final ChannelHandlerContext c;

    Ops(ChannelHandlerContext c) {
      this.c = c;
    }

    @Override
    public void preface(Http2Settings settings) {
      c.write(Http2CodecUtil.connectionPrefaceBuf());
      writer.writeSettings(c, settings, c.newPromise());
    }

    @Override
    public void headers(int streamId, Http2Headers headers, boolean endStream) {
      ByteBuf block = encode(streamId, headers);
      int flags = 0x4 | (endStream ? 0x1 : 0);
      frame(0x1, streamId, flags, block);
    }

    @Override
    public ByteBuf encode(int streamId, Http2Headers headers) {
      ByteBuf block = Unpooled.buffer();
      try {
        hpack.encodeHeaders(streamId, headers, block);
      } catch (Http2Exception e) {
        throw new IllegalStateException(e);
      }
      return block;
    }

    @Override
    public void frame(int type, int streamId, int flags, ByteBuf payload) {
      Http2Flags f = new Http2Flags((short) flags);
      writer.writeFrame(c, (byte) type, streamId, f, payload, c.newPromise());
    }

    @Override
    public void rst(int streamId, long errorCode) {
      writer.writeRstStream(c, streamId, errorCode, c.newPromise());
    }

    @Override
    public void ping(long data) {
      writer.writePing(c, false, data, c.newPromise());
    }

    @Override
    public void settings(Http2Settings settings) {
      writer.writeSettings(c, settings, c.newPromise());
    }

    @Override
    public void priority(int streamId, int dependency) {
      writer.writePriority(c, streamId, dependency, (short) 16, false, c.newPromise());
    }

    @Override
    public void windowUpdate(int streamId, int increment) {
      writer.writeWindowUpdate(c, streamId, increment, c.newPromise());
    }

    @Override
    public void data(int streamId, ByteBuf data, boolean endStream) {
      writer.writeData(c, streamId, data, 0, endStream, c.newPromise());
    }
  }

  /** Reads the server's frames and records what the tests look at. */
  private final class Reader extends ByteToMessageDecoder {
    private final DefaultHttp2FrameReader reader =
        new DefaultHttp2FrameReader(new io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder(true, 1 << 20));

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      RawH2Client.this.ctx = ctx;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      reader.readFrame(ctx, in, new Http2FrameAdapter() {
        @Override
        public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
          goAway.complete(new GoAway(lastStreamId, errorCode,
              debugData.toString(java.nio.charset.StandardCharsets.UTF_8)));
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
          resets.put(streamId, errorCode);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
            boolean endStream) {
          if (headers.status() != null) {
            statuses.putIfAbsent(streamId, Integer.parseInt(headers.status().toString()));
          }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int dependency,
            short weight, boolean exclusive, int padding, boolean endStream) {
          onHeadersRead(c, streamId, headers, padding, endStream);
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext c, long data) {
          pingAcks.incrementAndGet();
        }
      });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
