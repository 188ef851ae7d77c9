package dev.egret.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * HTTP/1.1 keep-alive request/response through Netty's server and client codecs on
 * {@code EmbeddedChannel}, configured as Egret's pipelines configure them: the codec share of each
 * proxied request's CPU, without sockets.
 *
 * <p>Egret's downstream codec is {@code StrictHttp1ServerCodec} (package-private in proxy-core):
 * Netty's {@code HttpRequestDecoder}/{@code HttpResponseEncoder} behind an obs-fold scan. This
 * benchmark uses {@code HttpServerCodec} with the same {@code HttpDecoderConfig}, so the scan is not
 * measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Netty's codec path takes 5-6 s of warmup to settle on 2 cores (measured: 110 µs → 4.5 µs per round
// trip over the first six 1 s iterations), longer than the suite's default of 3
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Http1CodecBenchmark {
  private static final String REQUEST = "GET /api/v1/items?page=2 HTTP/1.1\r\n"
      + "Host: api.example.com\r\n"
      + "User-Agent: curl/8.5.0\r\n"
      + "Accept: */*\r\n"
      + "Accept-Encoding: gzip\r\n"
      + "X-Forwarded-For: 203.0.113.7\r\n"
      + "Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
      + "\r\n";
  private static final String RESPONSE = "HTTP/1.1 200 OK\r\n"
      + "Content-Type: application/json\r\n"
      + "Content-Length: 27\r\n"
      + "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
      + "Server: backend\r\n"
      + "\r\n"
      + "{\"items\":[1,2,3],\"page\":2}\n";

  private EmbeddedChannel server;
  private EmbeddedChannel client;
  private ByteBuf requestBytes;
  private ByteBuf responseBytes;
  private ByteBuf body;

  @Setup
  public void setup() {
    // as HttpPipelines.installHttp1 (downstream) with the default 60 KiB header limit
    HttpDecoderConfig downstream = new HttpDecoderConfig()
        .setMaxInitialLineLength(60 * 1024)
        .setMaxHeaderSize(60 * 1024)
        .setMaxChunkSize(64 * 1024)
        .setValidateHeaders(true)
        .setAllowDuplicateContentLengths(false)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true);
    // as UpstreamConnection (upstream)
    HttpDecoderConfig upstream = new HttpDecoderConfig()
        .setMaxInitialLineLength(60 * 1024)
        .setMaxHeaderSize(60 * 1024)
        .setMaxChunkSize(64 * 1024)
        .setValidateHeaders(true);
    server = new EmbeddedChannel(new HttpServerCodec(downstream));
    client = new EmbeddedChannel(new HttpClientCodec(upstream, false, false));
    requestBytes = Unpooled.unreleasableBuffer(
        Unpooled.copiedBuffer(REQUEST, StandardCharsets.US_ASCII).asReadOnly());
    responseBytes = Unpooled.unreleasableBuffer(
        Unpooled.copiedBuffer(RESPONSE, StandardCharsets.US_ASCII).asReadOnly());
    body = Unpooled.unreleasableBuffer(
        Unpooled.copiedBuffer("{\"items\":[1,2,3],\"page\":2}\n", StandardCharsets.US_ASCII).asReadOnly());
    // the round trip must decode what it claims to decode
    long size = proxyRoundTrip();
    if (size != 200L * 1_000_000 + RESPONSE.length()) {
      throw new IllegalStateException("unexpected round trip result " + size);
    }
  }

  @TearDown
  public void tearDown() {
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  /** Downstream side only: decode the request, encode a 200 response with a small body. */
  @Benchmark
  public int serverDecodeEncode() {
    HttpRequest request = decodeRequest();
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        body.retainedDuplicate());
    response.headers().set("content-type", "application/json").setInt("content-length", body.readableBytes());
    return request.uri().length() + writtenBytes(server, response);
  }

  /**
   * What a proxy does per request: decode it downstream, encode it upstream, decode the upstream's
   * response, encode it downstream. Returns the upstream status × 10⁶ plus the downstream response's
   * size.
   */
  @Benchmark
  public long proxyRoundTrip() {
    HttpRequest request = decodeRequest();
    FullHttpRequest upstreamRequest = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
    if (writtenBytes(client, upstreamRequest) == 0) {
      throw new IllegalStateException("nothing encoded upstream");
    }

    client.writeInbound(responseBytes.duplicate());
    long size = 0;
    for (Object o; (o = client.readInbound()) != null; ) {
      if (o instanceof HttpResponse r) {
        size += r.status().code() * 1_000_000L;
      }
      // forward each part as it came, as the router streams it
      size += writtenBytes(server, o);
    }
    return size;
  }

  private HttpRequest decodeRequest() {
    server.writeInbound(requestBytes.duplicate());
    HttpRequest request = null;
    for (Object o; (o = server.readInbound()) != null; ) {
      if (o instanceof HttpRequest r) {
        request = r;
      } else {
        ReferenceCountUtil.release(o);
      }
    }
    if (request == null) {
      throw new IllegalStateException("no request decoded");
    }
    return request;
  }

  private static int writtenBytes(EmbeddedChannel ch, Object message) {
    ch.writeOutbound(message);
    int n = 0;
    for (Object o; (o = ch.readOutbound()) != null; ) {
      if (o instanceof ByteBuf b) {
        n += b.readableBytes();
      }
      ReferenceCountUtil.release(o);
    }
    return n;
  }
}
