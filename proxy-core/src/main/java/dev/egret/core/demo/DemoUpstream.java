package dev.egret.core.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 (or another loopback address, see {@link #http1(String, String, int)}),
 * the upstream of `egret demo` and of the tests: HTTP/1.1, HTTP/2 (prior knowledge or ALPN over TLS).
 *
 * <p>Paths it understands (everything else echoes the request as text):
 * <ul>
 *   <li>{@code /download/N}: streams N bytes (chunked), honouring backpressure;
 *   <li>{@code /upload}: reads the body without keeping it and answers with its length;
 *   <li>{@code /status/N}: answers status N;
 *   <li>{@code /flaky/KEY/N}: answers 503 to the first N requests for KEY, then 200;
 *   <li>{@code /sleep/MS}: answers after MS milliseconds.
 * </ul>
 * It records each request's headers and counts accepted connections.
 */
public final class DemoUpstream implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final Map<String, String> responseHeaders = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> flaky = new ConcurrentHashMap<>();
  private final String name;
  private volatile String fixedBody; // when set, answers every ordinary request with it
  private volatile int fixedStatus; // when not 0, answers every ordinary request with it
  private volatile String lastSni; // the server name the last TLS client asked for

  /** A request as the upstream saw it. */
  public record RecordedRequest(String method, String uri, HttpHeaders headers, String protocol) {}

  public enum Mode { HTTP1, HTTP2_PRIOR_KNOWLEDGE, TLS_ALPN }

  private DemoUpstream(String name, Mode mode, SslContext ssl) throws InterruptedException {
    this(name, mode, ssl, new InetSocketAddress("127.0.0.1", 0));
  }

  private DemoUpstream(String name, Mode mode, SslContext ssl, InetSocketAddress bind)
      throws InterruptedException {
    this.name = name;
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.incrementAndGet();
            ChannelPipeline p = ch.pipeline();
            switch (mode) {
              case HTTP1 -> http1(p);
              case HTTP2_PRIOR_KNOWLEDGE -> http2(p);
              case TLS_ALPN -> {
                p.addLast(ssl.newHandler(ch.alloc()));
                p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                  @Override
                  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                    recordSni(ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class));
                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                      http2(ctx.pipeline());
                    } else {
                      http1(ctx.pipeline());
                    }
                  }

                  @Override
                  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close(); // a client that refused our certificate: expected in tests and the demo
                  }
                });
              }
            }
          }
        });
    try {
      server = b.bind(bind).sync().channel();
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
      throw e;
    }
  }

  public static DemoUpstream http1(String name) throws InterruptedException {
    return new DemoUpstream(name, Mode.HTTP1, null);
  }

  /**
   * HTTP/1.1 on {@code bindAddress} (an IP literal; on Linux any of 127.0.0.0/8 is loopback), port
   * {@code port} (0: any free one). Upstreams on different loopback addresses can share a port, which
   * is how a DNS cluster's hosts look (a DNS answer gives addresses, the port is the endpoint's).
   */
  public static DemoUpstream http1(String name, String bindAddress, int port) throws InterruptedException {
    java.net.InetAddress ip = io.netty.util.NetUtil.createInetAddressFromIpAddressString(bindAddress);
    if (ip == null) {
      throw new IllegalArgumentException("not an IP address: " + bindAddress);
    }
    return new DemoUpstream(name, Mode.HTTP1, null, new InetSocketAddress(ip, port));
  }

  public static DemoUpstream http2PriorKnowledge(String name) throws InterruptedException {
    return new DemoUpstream(name, Mode.HTTP2_PRIOR_KNOWLEDGE, null);
  }

  /** TLS with ALPN (h2 and http/1.1) using the given server context. */
  public static DemoUpstream tls(String name, SslContext ssl) throws InterruptedException {
    return new DemoUpstream(name, Mode.TLS_ALPN, ssl);
  }

  /** The address it is bound to. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The SNI of the most recent TLS handshake, or null. */
  public String lastSni() {
    return lastSni;
  }

  private void recordSni(io.netty.handler.ssl.SslHandler ssl) {
    if (ssl != null && ssl.engine().getSession() instanceof javax.net.ssl.ExtendedSSLSession s) {
      lastSni = s.getRequestedServerNames().stream()
          .filter(n -> n instanceof javax.net.ssl.SNIHostName)
          .map(n -> ((javax.net.ssl.SNIHostName) n).getAsciiName())
          .findFirst().orElse(null);
    }
  }

  public int connectionsAccepted() {
    return connections.get();
  }

  public List<RecordedRequest> requests() {
    return requests;
  }

  /** Answers every ordinary request (not /download, /upload, /status) with this body. */
  public DemoUpstream withFixedBody(String body) {
    this.fixedBody = body;
    return this;
  }

  /**
   * Answers every ordinary request (not /download, /upload, /status, /flaky, /sleep) with this status
   * and a body naming the upstream; 0 goes back to normal answers.
   */
  public DemoUpstream withFixedStatus(int status) {
    this.fixedStatus = status;
    return this;
  }

  /** Adds a header to every response. */
  public DemoUpstream withResponseHeader(String name, String value) {
    responseHeaders.put(name, value);
    return this;
  }

  private void http1(ChannelPipeline p) {
    p.addLast(new HttpServerCodec());
    p.addLast(new Handler("HTTP/1.1"));
  }

  private void http2(ChannelPipeline p) {
    p.addLast(Http2FrameCodecBuilder.forServer().build());
    p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
        ch.pipeline().addLast(new Handler("HTTP/2"));
      }
    }));
    p.addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a peer that does not speak HTTP/2: drop it quietly
      }
    });
  }

  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private final String protocol;
    private HttpRequest request;
    private long received;
    private final StringBuilder body = new StringBuilder();

    Handler(String protocol) {
      this.protocol = protocol;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest r) {
          request = r;
          received = 0;
          body.setLength(0);
          HttpHeaders copy = new DefaultHttpHeaders().add(r.headers());
          requests.add(new RecordedRequest(r.method().name(), r.uri(), copy, protocol));
        }
        if (msg instanceof HttpContent c) {
          received += c.content().readableBytes();
          if (body.length() < 4096) {
            body.append(c.content().toString(StandardCharsets.UTF_8));
          }
          if (msg instanceof LastHttpContent) {
            respond(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx) {
      String uri = request.uri();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (uri.startsWith("/download/")) {
        long n = Long.parseLong(uri.substring("/download/".length()));
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, n);
        addCommon(head);
        ctx.write(head);
        new Streamer(ctx, n).run();
        return;
      }
      if (uri.startsWith("/sleep/")) {
        long ms = Long.parseLong(uri.substring("/sleep/".length()));
        FullHttpResponse late = text(HttpResponseStatus.OK, "slept " + ms);
        addCommon(late);
        ctx.executor().schedule(() -> ctx.writeAndFlush(late), ms, java.util.concurrent.TimeUnit.MILLISECONDS);
        return;
      }
      FullHttpResponse res;
      if (uri.startsWith("/flaky/")) {
        String[] parts = uri.substring("/flaky/".length()).split("/");
        int failures = Integer.parseInt(parts[1]);
        int n = flaky.computeIfAbsent(parts[0], k -> new AtomicInteger()).incrementAndGet();
        res = n <= failures ? text(HttpResponseStatus.SERVICE_UNAVAILABLE, "failure " + n)
            : text(HttpResponseStatus.OK, name + " ok after " + (n - 1) + " failures, received " + received);
      } else if (uri.startsWith("/upload")) {
        res = text(HttpResponseStatus.OK, "received " + received);
      } else if (uri.startsWith("/status/")) {
        res = text(HttpResponseStatus.valueOf(Integer.parseInt(uri.substring("/status/".length()))),
            "status");
      } else if (fixedStatus != 0) {
        res = text(HttpResponseStatus.valueOf(fixedStatus), name + " status " + fixedStatus);
      } else if (fixedBody != null) {
        res = text(HttpResponseStatus.OK, fixedBody);
      } else {
        res = text(HttpResponseStatus.OK, name + " " + request.method() + " " + uri + " " + protocol
            + (body.length() > 0 ? " body=" + body : ""));
      }
      addCommon(res);
      if (!keepAlive && protocol.equals("HTTP/1.1")) {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(res);
      }
    }

    private void addCommon(HttpResponse r) {
      responseHeaders.forEach((k, v) -> r.headers().set(k, v));
      r.headers().set("x-upstream-name", name);
    }

    private FullHttpResponse text(HttpResponseStatus status, String s) {
      ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, b);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.readableBytes());
      return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Writes N bytes in 64 KiB chunks, pausing whenever the channel is not writable. */
  private static final class Streamer implements Runnable {
    private static final byte[] CHUNK = new byte[64 * 1024];
    private final ChannelHandlerContext ctx;
    private long left;

    Streamer(ChannelHandlerContext ctx, long n) {
      this.ctx = ctx;
      this.left = n;
    }

    @Override
    public void run() {
      while (left > 0 && ctx.channel().isActive()) {
        if (!ctx.channel().isWritable()) {
          ctx.flush();
          ctx.channel().eventLoop().execute(this::waitWritable);
          return;
        }
        int n = (int) Math.min(CHUNK.length, left);
        left -= n;
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(CHUNK, 0, n)));
      }
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }

    private void waitWritable() {
      if (ctx.channel().isWritable()) {
        run();
      } else if (ctx.channel().isActive()) {
        ctx.channel().eventLoop().schedule(this::waitWritable, 1, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
  }
}
