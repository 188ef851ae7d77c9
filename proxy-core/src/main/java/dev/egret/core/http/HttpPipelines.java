package dev.egret.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the HTTP part of a downstream pipeline for a connection manager: HTTP/1.1, HTTP/2, or
 * either — chosen by ALPN on TLS, and by the client's first bytes (the HTTP/2 connection preface,
 * "prior knowledge") on cleartext. {@code Upgrade: h2c} is never honoured.
 */
public final class HttpPipelines {
  private HttpPipelines() {}

  /**
   * Installs the HTTP pipeline once the transport is ready: after the TLS handshake when
   * {@code ssl} is present (the caller has already added it), at once otherwise.
   */
  public static void install(Channel ch, HcmConfig config, ConnectionInfoFactory connInfo) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl == null) {
      installCleartext(ch, config, connInfo.create(ch, null));
      return;
    }
    ch.pipeline().addLast("egret-alpn", new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
          ctx.pipeline().remove(this);
          if (!done.isSuccess()) {
            ctx.close();
            return;
          }
          ConnectionInfo info = connInfo.create(ctx.channel(), ssl);
          String proto = ssl.applicationProtocol();
          boolean h2 = config.codec() == HcmConfig.Codec.HTTP2
              || (config.codec() == HcmConfig.Codec.AUTO && ApplicationProtocolNames.HTTP_2.equals(proto));
          if (h2) {
            installHttp2(ctx.channel(), config, info);
          } else {
            installHttp1(ctx.channel(), config, info);
          }
          ctx.channel().config().setAutoRead(true);
          return;
        }
        ctx.fireUserEventTriggered(evt);
      }
    });
    ch.config().setAutoRead(true); // the handshake reads on its own; streams then take over
  }

  /**
   * Installs the HTTP pipeline on a connection whose transport is ready: its TLS handshake (if any)
   * is done and {@code info} is known. The protocol is chosen as {@link #install} chooses it.
   */
  public static void installOnReadyTransport(Channel ch, HcmConfig config, ConnectionInfo info) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl == null) {
      installCleartext(ch, config, info);
      return;
    }
    String proto = ssl.applicationProtocol();
    boolean h2 = config.codec() == HcmConfig.Codec.HTTP2
        || (config.codec() == HcmConfig.Codec.AUTO && ApplicationProtocolNames.HTTP_2.equals(proto));
    if (h2) {
      installHttp2(ch, config, info);
    } else {
      installHttp1(ch, config, info);
    }
    ch.config().setAutoRead(true);
  }

  /** Makes the per-connection facts once the transport is known. */
  public interface ConnectionInfoFactory {
    ConnectionInfo create(Channel ch, SslHandler sslOrNull);
  }

  private static void installCleartext(Channel ch, HcmConfig config, ConnectionInfo info) {
    switch (config.codec()) {
      case HTTP1 -> installHttp1(ch, config, info);
      case HTTP2 -> installHttp2(ch, config, info);
      default -> {
        ch.pipeline().addLast("egret-sniff", new PrefaceSniffer(config, info));
        ch.config().setAutoRead(true);
      }
    }
  }

  static void installHttp1(Channel ch, HcmConfig config, ConnectionInfo info) {
    ch.config().setAutoRead(false);
    ChannelPipeline p = ch.pipeline();
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(config.maxRequestHeadersBytes())
        .setMaxHeaderSize(config.maxRequestHeadersBytes())
        .setMaxChunkSize(64 * 1024)
        .setValidateHeaders(true)
        .setAllowDuplicateContentLengths(false)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true);
    if (config.idleTimeoutMillis() > 0) {
      p.addLast("egret-idle", new IdleStateHandler(0, 0, config.idleTimeoutMillis(), TimeUnit.MILLISECONDS));
      p.addLast("egret-idle-close", new IdleCloser());
    }
    if (config.requestHeadersTimeoutMillis() > 0) {
      p.addLast("egret-headers-timer", new RequestHeadersTimer(config.requestHeadersTimeoutMillis()));
    }
    p.addLast("egret-h1", new StrictHttp1ServerCodec(decoder));
    p.addLast("egret-stream", new DownstreamStream(config, info, false));
    config.stats().downstreamCxTotal.inc();
    config.stats().downstreamCxActive.inc();
    ch.closeFuture().addListener(f -> config.stats().downstreamCxActive.dec());
  }

  static void installHttp2(Channel ch, HcmConfig config, ConnectionInfo info) {
    HcmConfig.Http2Limits limits = config.http2();
    Http2Settings settings = Http2Settings.defaultSettings()
        .maxConcurrentStreams(limits.maxConcurrentStreams())
        .initialWindowSize(limits.initialStreamWindow())
        .maxHeaderListSize(config.maxRequestHeadersBytes());
    ChannelPipeline p = ch.pipeline();
    if (config.idleTimeoutMillis() > 0) {
      p.addLast("egret-idle", new IdleStateHandler(0, 0, config.idleTimeoutMillis(), TimeUnit.MILLISECONDS));
      p.addLast("egret-idle-close", new IdleCloser());
    }
    p.addLast("egret-h2-guard", new Http2Guards(limits.floods(), config.stats(), config.maxRequestHeadersBytes()));
    p.addLast("egret-h2", Http2Guards.codecBuilder(limits.floods(), config.stats().http2) // Netty's limits as backstops
        .initialSettings(settings)
        .validateHeaders(true)
        .autoAckPingFrame(true)
        .autoAckSettingsFrame(true)
        .build());
    if (config.keepalive().enabled()) {
      p.addLast("egret-h2-keepalive", new Http2PingKeepalive(config.keepalive()));
    }
    p.addLast("egret-h2-mux", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.config().setAutoRead(false);
        stream.pipeline().addLast(new ConnectGuard(config.allowConnect()));
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true));
        stream.pipeline().addLast(new DownstreamStream(config, info, true));
      }
    }));
    // The connection window starts at 65,535 bytes by protocol; grow it to the configured size.
    int connectionWindowIncrement = limits.initialConnectionWindow() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
    if (connectionWindowIncrement > 0) {
      ch.pipeline().writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindowIncrement));
    }
    config.stats().downstreamCxTotal.inc();
    config.stats().downstreamCxActive.inc();
    ch.closeFuture().addListener(f -> config.stats().downstreamCxActive.dec());
    ch.config().setAutoRead(true);
  }

  /** Cleartext with codec AUTO: the HTTP/2 connection preface means HTTP/2, anything else HTTP/1.1. */
  private static final class PrefaceSniffer extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final HcmConfig config;
    private final ConnectionInfo info;

    PrefaceSniffer(HcmConfig config, ConnectionInfo info) {
      this.config = config;
      this.info = info;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
      boolean prefixMatches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
      if (prefixMatches && n < PREFACE.readableBytes()) {
        return; // could still be HTTP/2: wait for more bytes
      }
      if (prefixMatches) {
        installHttp2(ctx.channel(), config, info);
      } else {
        installHttp1(ctx.channel(), config, info);
      }
      ctx.pipeline().remove(this); // hands the buffered bytes to the new codec
    }
  }

  /** Closes a connection that carried nothing for the idle timeout. */
  private static final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
