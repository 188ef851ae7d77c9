package dev.egret.core.http;

import static dev.egret.core.http.RawHttp.closedByPeer;
import static dev.egret.core.http.RawHttp.connect;
import static dev.egret.core.http.RawHttp.readRequest;
import static dev.egret.core.http.RawHttp.readResponse;
import static dev.egret.core.http.RawHttp.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.demo.DemoUpstream;
import dev.egret.core.http.RawHttp.Framing;
import dev.egret.core.http.RawHttp.Message;
import dev.egret.core.testing.EgretHarness;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 through Egret at the byte level (hardening.md §4, router.md §12, access-log.md): a raw
 * client socket writes exact bytes and reads the raw response, against a {@link DemoUpstream} and a
 * {@link ScriptedUpstream} whose bytes each test writes itself.
 */
class Http1ConformanceTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: h1
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: h1
                server_name: egret-h1
                request_headers_timeout: 2s
                access_log:
                - name: envoy.access_loggers.file
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                    path: ${ACCESS_LOG}
                    log_format:
                      text_format_source:
                        inline_string: "%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n"
                route_config:
                  name: routes
                  virtual_hosts:
                  - name: demo
                    domains: ["demo.test"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: demo }
                  - name: raw
                    domains: ["raw.test"]
                    routes:
                    - match: { prefix: "/slow" }
                      route: { cluster: raw, timeout: 0.3s }
                    - match: { prefix: "/" }
                      route: { cluster: raw, timeout: 5s }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        clusters:
        - name: demo
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: demo
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${DEMO_PORT} } } }
        - name: raw
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: raw
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${RAW_PORT} } } }
      """;

  static DemoUpstream demo;
  static ScriptedUpstream raw;
  static EgretHarness egret;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    demo = DemoUpstream.http1("demo");
    raw = new ScriptedUpstream();
    egret = new EgretHarness(CONFIG, Map.of("DEMO_PORT", demo.port(), "RAW_PORT", raw.port()));
    port = egret.port("h1");
  }

  @AfterAll
  static void stop() throws Exception {
    egret.close();
    raw.close();
    demo.close();
  }

  private static String logLine(String path) throws Exception {
    String needle = " " + path + " ";
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<String> lines = egret.awaitLogLines(1);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).contains(needle)) {
          return lines.get(i);
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no access log line for " + path);
  }

  private static DemoUpstream.RecordedRequest demoSaw(String uri) {
    return demo.requests().stream().filter(r -> r.uri().equals(uri)).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("demo upstream never saw " + uri));
  }

  private static String get(String host, String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  }

  /** Sends {@code request} on a fresh connection and expects a 400-class answer and a close. */
  private static Message rejected(String request, int status) throws Exception {
    try (Socket s = connect(port)) {
      write(s, request);
      Message r = readResponse(s.getInputStream(), false);
      assertThat(r.status()).as(r.startLine()).isEqualTo(status);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(closedByPeer(s)).as("connection closed after %d", status).isTrue();
      return r;
    }
  }

  // ---------------------------------------------------------------- bodies and framing

  @Test
  void chunkedRequestBodyAndTrailersReachTheUpstreamAndChunkedResponseComesBack() throws Exception {
    try (Socket client = connect(port)) {
      write(client, "POST /chunked-both HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n"
          + "TE: trailers\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-req-sum: abc\r\n\r\n");
      try (Socket up = raw.take()) {
        Message req = readRequest(up.getInputStream());
        assertThat(req.startLine()).isEqualTo("POST /chunked-both HTTP/1.1");
        assertThat(req.framing()).isEqualTo(Framing.CHUNKED);
        assertThat(req.header("content-length")).isNull();
        assertThat(req.bodyText()).isEqualTo("hello world");
        assertThat(req.trailer("x-req-sum")).isEqualTo("abc");
        assertThat(req.header("te")).isEqualTo("trailers");
        write(up, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-resp-sum\r\nConnection: close\r\n\r\n"
            + "3\r\nabc\r\n4\r\ndefg\r\n0\r\nx-resp-sum: 42\r\n\r\n");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.framing()).isEqualTo(Framing.CHUNKED);
        assertThat(r.all("transfer-encoding")).containsExactly("chunked");
        assertThat(r.header("content-length")).isNull();
        assertThat(r.bodyText()).isEqualTo("abcdefg");
        assertThat(r.trailer("x-resp-sum")).isEqualTo("42");
        assertThat(r.header("connection")).isNull(); // the upstream's close is hop-by-hop
        assertThat(r.header("server")).isEqualTo("egret-h1");
      }
    }
  }

  @Test
  void contentLengthRequestBodyKeepsItsLength() throws Exception {
    try (Socket client = connect(port)) {
      write(client, "PUT /cl-body HTTP/1.1\r\nHost: raw.test\r\nContent-Length: 10\r\n\r\n0123456789");
      try (Socket up = raw.take()) {
        Message req = readRequest(up.getInputStream());
        assertThat(req.framing()).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(req.header("transfer-encoding")).isNull();
        assertThat(req.bodyText()).isEqualTo("0123456789");
        write(up, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.framing()).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(r.bodyText()).isEqualTo("ok");
      }
    }
  }

  @Test
  void expect100ContinueIsAnsweredByEgretAndNotForwarded() throws Exception {
    try (Socket s = connect(port)) {
      InputStream in = s.getInputStream();
      write(s, "POST /continue HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      Message interim = readResponse(in, false);
      assertThat(interim.startLine()).isEqualTo("HTTP/1.1 100 Continue");
      write(s, "hello");
      Message r = readResponse(in, false);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("demo POST /continue HTTP/1.1 body=hello");
    }
    assertThat(demoSaw("/continue").headers().contains("expect")).isFalse();
  }

  @Test
  void hopByHopRequestHeadersAreRemoved() throws Exception {
    try (Socket s = connect(port)) {
      write(s, "GET /hop-req HTTP/1.1\r\nHost: demo.test\r\nConnection: keep-alive, x-conn-named\r\n"
          + "X-Conn-Named: secret\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n"
          + "TE: gzip\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nX-Kept: yes\r\n\r\n");
      assertThat(readResponse(s.getInputStream(), false).status()).isEqualTo(200);
    }
    var h = demoSaw("/hop-req").headers();
    assertThat(h.get("x-kept")).isEqualTo("yes");
    for (String gone : List.of("x-conn-named", "keep-alive", "proxy-connection", "te", "upgrade", "http2-settings")) {
      assertThat(h.contains(gone)).as(gone).isFalse();
    }
    // "connection" itself may only be what Egret's own upstream codec says about its hop
    assertThat(h.getAll("connection")).allMatch(v -> v.equalsIgnoreCase("keep-alive"));
  }

  @Test
  void teTrailersIsTheOnlyTeThatPasses() throws Exception {
    try (Socket s = connect(port)) {
      write(s, "GET /te-trailers HTTP/1.1\r\nHost: demo.test\r\nTE: trailers\r\n\r\n");
      assertThat(readResponse(s.getInputStream(), false).status()).isEqualTo(200);
    }
    assertThat(demoSaw("/te-trailers").headers().get("te")).isEqualTo("trailers");
  }

  @Test
  void hopByHopResponseHeadersAreRemoved() throws Exception {
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/hop-resp"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        write(up, "HTTP/1.1 200 OK\r\nConnection: close, x-resp-named\r\nX-Resp-Named: secret\r\n"
            + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nUpgrade: foo\r\nTE: gzip\r\n"
            + "X-Kept: yes\r\nContent-Length: 2\r\n\r\nok");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.bodyText()).isEqualTo("ok");
        assertThat(r.header("x-kept")).isEqualTo("yes");
        for (String gone : List.of("connection", "x-resp-named", "keep-alive", "proxy-connection", "upgrade", "te")) {
          assertThat(r.header(gone)).as(gone).isNull();
        }
      }
      // the upstream's "connection: close" did not close the client's connection
      write(client, get("demo.test", "/hop-resp-after"));
      assertThat(readResponse(client.getInputStream(), false).bodyText())
          .isEqualTo("demo GET /hop-resp-after HTTP/1.1");
    }
  }

  // ---------------------------------------------------------------- connection management

  @Test
  void twoRequestsShareOneKeptAliveConnection() throws Exception {
    try (Socket s = connect(port)) {
      InputStream in = s.getInputStream();
      write(s, get("demo.test", "/ka-1"));
      Message first = readResponse(in, false);
      assertThat(first.header("connection")).isNull();
      write(s, get("demo.test", "/ka-2"));
      Message second = readResponse(in, false);
      assertThat(first.bodyText()).isEqualTo("demo GET /ka-1 HTTP/1.1");
      assertThat(second.bodyText()).isEqualTo("demo GET /ka-2 HTTP/1.1");
    }
  }

  @Test
  void connectionCloseFromTheClientClosesAfterTheResponse() throws Exception {
    try (Socket s = connect(port)) {
      write(s, "GET /ka-close HTTP/1.1\r\nHost: demo.test\r\nConnection: close\r\n\r\n");
      Message r = readResponse(s.getInputStream(), false);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  @Test
  void http10WithoutKeepAliveGetsADelimitedResponseAndTheConnectionCloses() throws Exception {
    try (Socket s = connect(port)) {
      write(s, "GET /http10 HTTP/1.0\r\nHost: demo.test\r\n\r\n");
      InputStream in = s.getInputStream();
      Message r = readResponse(in, false);
      assertThat(r.startLine()).startsWith("HTTP/1.0 200");
      assertThat(r.header("transfer-encoding")).isNull();
      assertThat(r.framing()).isIn(Framing.CONTENT_LENGTH, Framing.CLOSE);
      assertThat(r.bodyText()).isEqualTo("demo GET /http10 HTTP/1.1");
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  @Test
  void http10ClientGetsACloseDelimitedBodyWhenTheUpstreamSendsNoLength() throws Exception {
    try (Socket client = connect(port)) {
      write(client, "GET /http10-close HTTP/1.0\r\nHost: raw.test\r\n\r\n");
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        write(up, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nno length here");
        up.close();
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.startLine()).startsWith("HTTP/1.0 200");
        assertThat(r.framing()).isEqualTo(Framing.CLOSE);
        assertThat(r.bodyText()).isEqualTo("no length here");
      }
    }
  }

  @Test
  void http10KeepAliveIsHonouredWithALengthDelimitedResponse() throws Exception {
    try (Socket s = connect(port)) {
      InputStream in = s.getInputStream();
      write(s, "GET /http10-ka-1 HTTP/1.0\r\nHost: demo.test\r\nConnection: keep-alive\r\n\r\n");
      Message first = readResponse(in, false);
      assertThat(first.startLine()).startsWith("HTTP/1.0 200");
      assertThat(first.header("connection")).isEqualToIgnoringCase("keep-alive");
      assertThat(first.framing()).isEqualTo(Framing.CONTENT_LENGTH);
      write(s, "GET /http10-ka-2 HTTP/1.0\r\nHost: demo.test\r\n\r\n");
      Message second = readResponse(in, false);
      assertThat(second.bodyText()).isEqualTo("demo GET /http10-ka-2 HTTP/1.1");
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (Socket s = connect(port)) {
      write(s, get("demo.test", "/pipe-1") + get("demo.test", "/pipe-2") + get("demo.test", "/pipe-3"));
      InputStream in = s.getInputStream();
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /pipe-1 HTTP/1.1");
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /pipe-2 HTTP/1.1");
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /pipe-3 HTTP/1.1");
    }
  }

  @Test
  void pipelinedLocalRepliesAreServedInOrderAndTheConnectionKeepsReading() throws Exception {
    try (Socket s = connect(port)) {
      InputStream in = s.getInputStream();
      write(s, get("nowhere.test", "/pipe-404-1") + get("nowhere.test", "/pipe-404-2") + get("demo.test", "/pipe-404-3"));
      Message first = readResponse(in, false);
      assertThat(first.status()).isEqualTo(404);
      assertThat(first.header("connection")).as("a local reply to a bodyless request keeps the connection").isNull();
      assertThat(readResponse(in, false).status()).isEqualTo(404);
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /pipe-404-3 HTTP/1.1");
      write(s, get("nowhere.test", "/pipe-404-4") + get("nowhere.test", "/pipe-404-5"));
      assertThat(readResponse(in, false).status()).isEqualTo(404);
      assertThat(readResponse(in, false).status()).isEqualTo(404);
      write(s, get("demo.test", "/pipe-404-6"));
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /pipe-404-6 HTTP/1.1");
    }
  }

  @Test
  void pipelinedRequestsWithBodiesKeepTheirBodies() throws Exception {
    try (Socket s = connect(port)) {
      write(s, "POST /pipe-body-1 HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 3\r\n\r\none"
          + "POST /pipe-body-2 HTTP/1.1\r\nHost: demo.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
          + get("demo.test", "/pipe-body-3"));
      InputStream in = s.getInputStream();
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo POST /pipe-body-1 HTTP/1.1 body=one");
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo POST /pipe-body-2 HTTP/1.1 body=two");
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /pipe-body-3 HTTP/1.1");
    }
  }

  @Test
  void bodyBytesThatLookLikeFoldedHeadersAreNotMistakenForObsFold() throws Exception {
    try (Socket s = connect(port)) {
      InputStream in = s.getInputStream();
      write(s, "POST /fold-like-body HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 9\r\n\r\na\r\n b\r\n\r\n");
      assertThat(readResponse(in, false).status()).isEqualTo(200);
      write(s, "POST /fold-like-chunks HTTP/1.1\r\nHost: demo.test\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "4\r\n\r\n x\r\n0\r\n\r\n" + get("demo.test", "/after-fold-like"));
      assertThat(readResponse(in, false).status()).isEqualTo(200);
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /after-fold-like HTTP/1.1");
    }
  }

  @Test
  void obsFoldInALaterKeptAliveRequestIsRejected() throws Exception {
    try (Socket s = connect(port)) {
      InputStream in = s.getInputStream();
      write(s, "POST /fold-first HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 2\r\n\r\nhi");
      assertThat(readResponse(in, false).status()).isEqualTo(200);
      write(s, "GET /fold-second HTTP/1.1\r\nHost: demo.test\r\nX-A: 1\r\n\tfolded\r\n\r\n");
      Message r = readResponse(in, false);
      assertThat(r.status()).isEqualTo(400);
      assertThat(closedByPeer(s)).isTrue();
    }
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/fold-second"));
  }

  @Test
  void headResponseHasHeadersOnlyAndTheConnectionStaysUsable() throws Exception {
    try (Socket client = connect(port)) {
      InputStream in = client.getInputStream();
      write(client, "HEAD /head HTTP/1.1\r\nHost: raw.test\r\n\r\n");
      try (Socket up = raw.take()) {
        Message req = readRequest(up.getInputStream());
        assertThat(req.startLine()).isEqualTo("HEAD /head HTTP/1.1");
        write(up, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n");
        Message r = readResponse(in, true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-length")).isEqualTo("11");
        assertThat(r.header("transfer-encoding")).isNull();
      }
      // had any body bytes followed the HEAD response, this would not parse
      write(client, get("demo.test", "/after-head"));
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /after-head HTTP/1.1");
    }
  }

  @Test
  void closeDelimitedUpstreamResponseReachesAnHttp11ClientChunked() throws Exception {
    try (Socket client = connect(port)) {
      InputStream in = client.getInputStream();
      write(client, get("raw.test", "/close-delimited"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        write(up, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the ");
        write(up, "connection closes");
        up.close();
        Message r = readResponse(in, false);
        assertThat(r.startLine()).startsWith("HTTP/1.1 200");
        assertThat(r.framing()).isEqualTo(Framing.CHUNKED);
        assertThat(r.bodyText()).isEqualTo("until the connection closes");
      }
      write(client, get("demo.test", "/after-close-delimited"));
      assertThat(readResponse(in, false).bodyText()).isEqualTo("demo GET /after-close-delimited HTTP/1.1");
    }
    assertThat(logLine("/close-delimited")).isEqualTo("GET /close-delimited HTTP/1.1 200 - via_upstream");
  }

  // ---------------------------------------------------------------- malformed requests

  @Test
  void contentLengthWithTransferEncodingIsRejected() throws Exception {
    rejected("POST /cl-te HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\n", 400);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/cl-te"));
  }

  @Test
  void twoDifferentContentLengthsAreRejected() throws Exception {
    rejected("POST /two-cl HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", 400);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/two-cl"));
  }

  @Test
  void transferEncodingWhoseLastCodingIsNotChunkedIsRejected() throws Exception {
    rejected("POST /te-identity HTTP/1.1\r\nHost: demo.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
        + "0\r\n\r\n", 400);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/te-identity"));
  }

  @Test
  void transferEncodingInAnHttp10RequestIsRejected() throws Exception {
    rejected("POST /te-http10 HTTP/1.0\r\nHost: demo.test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\n", 400);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/te-http10"));
  }

  @Test
  void badChunkSizeIsRejectedAndNeverCompletesUpstream() throws Exception {
    rejected("POST /bad-chunk HTTP/1.1\r\nHost: demo.test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "zz\r\nhello\r\n0\r\n\r\n", 400);
    assertThat(logLine("/bad-chunk")).startsWith("POST /bad-chunk HTTP/1.1 400 DPE ");
  }

  @Test
  void badChunkAfterForwardingStartedResetsTheUpstreamRequest() throws Exception {
    try (Socket client = connect(port)) {
      write(client, "POST /bad-chunk-late HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n");
      try (Socket up = raw.take()) {
        InputStream upIn = up.getInputStream();
        assertThat(RawHttp.readLine(upIn)).isEqualTo("POST /bad-chunk-late HTTP/1.1");
        while (!RawHttp.readLine(upIn).isEmpty()) {
          // request headers
        }
        assertThat(RawHttp.readLine(upIn)).isEqualTo("5");
        assertThat(RawHttp.readLine(upIn)).isEqualTo("hello");
        write(client, "-1\r\nbad\r\n0\r\n\r\n");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(400);
        assertThat(closedByPeer(client)).isTrue();
        assertThat(closedByPeer(up)).as("upstream request abandoned, never completed").isTrue();
      }
    }
    assertThat(logLine("/bad-chunk-late")).startsWith("POST /bad-chunk-late HTTP/1.1 400 DPE ");
  }

  @Test
  void obsFoldIsRejectedNotUnfolded() throws Exception {
    rejected("GET /obs-fold HTTP/1.1\r\nHost: demo.test\r\nX-Folded: first\r\n second\r\n\r\n", 400);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/obs-fold"));
  }

  @Test
  void badMethodTokenIsRejected() throws Exception {
    rejected("G@T /bad-method HTTP/1.1\r\nHost: demo.test\r\n\r\n", 400);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/bad-method"));
  }

  @Test
  void moreThan100HeadersIs431() throws Exception {
    StringBuilder req = new StringBuilder("GET /many-headers HTTP/1.1\r\nHost: demo.test\r\n");
    for (int i = 0; i < 100; i++) {
      req.append("x-h").append(i).append(": v\r\n");
    }
    rejected(req.append("\r\n").toString(), 431);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/many-headers"));
  }

  @Test
  void exactly100HeadersPass() throws Exception {
    StringBuilder req = new StringBuilder("GET /hundred-headers HTTP/1.1\r\nHost: demo.test\r\n");
    for (int i = 0; i < 99; i++) {
      req.append("x-h").append(i).append(": v\r\n");
    }
    try (Socket s = connect(port)) {
      write(s, req.append("\r\n").toString());
      assertThat(readResponse(s.getInputStream(), false).status()).isEqualTo(200);
    }
  }

  @Test
  void headersOver60KiBAre431() throws Exception {
    rejected("GET /big-headers HTTP/1.1\r\nHost: demo.test\r\nX-Big: " + RawHttp.repeat('a', 61 * 1024)
        + "\r\n\r\n", 431);
    assertThat(demo.requests()).noneMatch(r -> r.uri().equals("/big-headers"));
  }

  @Test
  void requestLineOver60KiBIs414() throws Exception {
    rejected("GET /long-line/" + RawHttp.repeat('a', 61 * 1024) + " HTTP/1.1\r\nHost: demo.test\r\n\r\n", 414);
  }

  @Test
  void aStalledSecondRequestOnAKeptAliveConnectionAlsoTimesOut() throws Exception {
    try (Socket s = connect(port)) {
      write(s, get("demo.test", "/first"));
      assertThat(readResponse(s.getInputStream(), false).status()).isEqualTo(200);
      long start = System.nanoTime();
      write(s, "GET /second HT");
      Message r = readResponse(s.getInputStream(), false);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.bodyText()).isEqualTo("request header timeout");
      assertThat(ms).as("counted from the second request's first byte").isGreaterThanOrEqualTo(1_500);
    }
  }

  @Test
  void halfARequestLineTimesOutWith408() throws Exception {
    try (Socket s = connect(port)) {
      long start = System.nanoTime();
      write(s, "GET /slowloris HT");
      Message r = readResponse(s.getInputStream(), false);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.bodyText()).isEqualTo("request header timeout");
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(ms).isGreaterThanOrEqualTo(250).isLessThan(4_000);
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  // ---------------------------------------------------------------- upstream failures

  @Test
  void upstreamClosingMidBodyCutsTheClientOffWithUc() throws Exception {
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/mid-body"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        write(up, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
      }
      String seen = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(seen).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("content-length: 100").endsWith("0123456789");
    }
    assertThat(logLine("/mid-body"))
        .isEqualTo("GET /mid-body HTTP/1.1 200 UC upstream_reset_after_response_started{connection_termination}");
  }

  @Test
  void upstreamClosingBeforeHeadersIs503Uc() throws Exception {
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/up-close"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
      }
      Message r = readResponse(client.getInputStream(), false);
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.bodyText()).isEqualTo(
          "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
    }
    assertThat(logLine("/up-close"))
        .isEqualTo("GET /up-close HTTP/1.1 503 UC upstream_reset_before_response_started{connection_termination}");
  }

  @Test
  void malformedUpstreamStatusLineIs502Upe() throws Exception {
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/bad-status"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        write(up, "HTTP/1.1 abc Nope\r\nContent-Length: 0\r\n\r\n");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.bodyText()).isEqualTo(
            "upstream connect error or disconnect/reset before headers. reset reason: protocol error");
      }
    }
    assertThat(logLine("/bad-status"))
        .isEqualTo("GET /bad-status HTTP/1.1 502 UPE upstream_reset_before_response_started{protocol_error}");
  }

  @Test
  void garbageInsteadOfAStatusLineIs502Upe() throws Exception {
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/garbage-status"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        write(up, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(502);
      }
    }
    assertThat(logLine("/garbage-status")).contains(" 502 UPE ");
  }

  @Test
  void silentUpstreamHitsTheRouteTimeout() throws Exception {
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/slow-never"));
      try (Socket up = raw.take()) {
        readRequest(up.getInputStream());
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.bodyText()).isEqualTo("upstream request timeout");
        assertThat(closedByPeer(up)).as("upstream connection reset on timeout").isTrue();
      }
    }
    assertThat(logLine("/slow-never")).isEqualTo("GET /slow-never HTTP/1.1 504 UT response_timeout");
  }

  @Test
  void clientDisconnectingMidResponseIsLoggedDc() throws Exception {
    try (Socket up = exchangeAndDisconnect()) {
      assertThat(closedByPeer(up)).as("upstream connection reset after the client left").isTrue();
    }
    assertThat(logLine("/client-leaves")).startsWith("GET /client-leaves HTTP/1.1 200 DC ");
  }

  private static Socket exchangeAndDisconnect() throws Exception {
    Socket up;
    try (Socket client = connect(port)) {
      write(client, get("raw.test", "/client-leaves"));
      up = raw.take();
      readRequest(up.getInputStream());
      write(up, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial");
      String status = RawHttp.readLine(client.getInputStream());
      assertThat(status).startsWith("HTTP/1.1 200");
    }
    return up;
  }

  @Test
  void requestsWithUtf8BodiesArePassedByteForByte() throws Exception {
    byte[] body = "héllo wörld".getBytes(StandardCharsets.UTF_8);
    try (Socket client = connect(port)) {
      client.getOutputStream().write(("POST /utf8 HTTP/1.1\r\nHost: raw.test\r\nContent-Length: " + body.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().write(body);
      try (Socket up = raw.take()) {
        Message req = readRequest(up.getInputStream());
        assertThat(req.body()).isEqualTo(body);
        write(up, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        Message r = readResponse(client.getInputStream(), false);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("transfer-encoding")).isNull();
      }
    }
  }
}
