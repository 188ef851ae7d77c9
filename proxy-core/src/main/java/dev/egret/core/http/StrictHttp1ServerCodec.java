package dev.egret.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: Netty's request decoder and response encoder, plus what Netty does
 * not do for a strict proxy (hardening.md §4).
 *
 * <ul>
 *   <li><b>obs-fold is rejected, not unfolded.</b> Netty joins a header line that starts with SP or
 *       HTAB to the previous value; this codec scans each request's header section before Netty
 *       parses it, and a line there that starts with whitespace makes the request a decoding failure
 *       (Egret answers 400 and closes). Request trailers are not scanned.
 *   <li><b>Responses to HEAD and to CONNECT (2xx) carry no body</b>: the encoder pairs each response
 *       with its request's method, as Netty's {@code HttpServerCodec} does.
 * </ul>
 */
final class StrictHttp1ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
  StrictHttp1ServerCodec(HttpDecoderConfig config) {
    ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    init(new Decoder(config, methods), new Encoder(methods));
  }

  /** Netty's request decoder behind an obs-fold scan of each header section. */
  private static final class Decoder extends HttpRequestDecoder {
    private final ArrayDeque<HttpMethod> methods;
    private boolean headEnded; // the blank line ending this message's header section was scanned
    private boolean atLineStart = true;
    private int lineNo; // completed lines of this header section; 0 = still in the request line
    private int scannedAhead; // bytes past the reader index already scanned
    private boolean rejected;

    Decoder(HttpDecoderConfig config, ArrayDeque<HttpMethod> methods) {
      super(config);
      this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
      if (rejected) {
        in.skipBytes(in.readableBytes());
        return;
      }
      if (!headEnded && scanForObsFold(in)) {
        rejected = true;
        in.skipBytes(in.readableBytes());
        DefaultFullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request",
            Unpooled.EMPTY_BUFFER);
        bad.setDecoderResult(DecoderResult.failure(
            new IllegalArgumentException("obs-fold (a header line starting with whitespace) is not accepted")));
        methods.add(bad.method());
        out.add(bad);
        return;
      }
      int before = out.size();
      int readerBefore = in.readerIndex();
      super.decode(ctx, in, out);
      scannedAhead = Math.max(0, scannedAhead - (in.readerIndex() - readerBefore));
      for (int i = before; i < out.size(); i++) {
        Object o = out.get(i);
        if (o instanceof HttpRequest r) {
          methods.add(r.method());
        }
        if (o instanceof LastHttpContent) {
          // the message is over; the next one starts at the reader index
          headEnded = false;
          atLineStart = true;
          lineNo = 0;
          scannedAhead = 0;
        }
      }
    }

    /** Scans the not yet scanned bytes of the header section; true on obs-fold. */
    private boolean scanForObsFold(ByteBuf in) {
      int end = in.writerIndex();
      for (int i = in.readerIndex() + scannedAhead; i < end; i++) {
        byte b = in.getByte(i);
        if (atLineStart) {
          boolean ws = b == ' ' || b == '\t';
          boolean eol = b == '\r' || b == '\n';
          if (lineNo == 0) {
            if (ws || eol) {
              continue; // Netty skips these before the request line
            }
          } else if (ws) {
            return true;
          } else if (eol) {
            headEnded = true; // the blank line: the rest is body, left to Netty
            return false;
          }
          atLineStart = false;
        }
        if (b == '\n') {
          atLineStart = true;
          lineNo++;
        }
      }
      scannedAhead = end - in.readerIndex();
      return false;
    }
  }

  /** Netty's response encoder, told which request each response answers. */
  private static final class Encoder extends HttpResponseEncoder {
    private final ArrayDeque<HttpMethod> methods;
    private HttpMethod method;

    Encoder(ArrayDeque<HttpMethod> methods) {
      this.methods = methods;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
        method = methods.poll(); // a final response answers the oldest open request
      }
      super.write(ctx, msg, promise);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      if (HttpMethod.HEAD.equals(method)) {
        return true;
      }
      if (HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
        return true;
      }
      return super.isContentAlwaysEmpty(msg);
    }
  }
}
