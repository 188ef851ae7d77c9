package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.EgretHarness;
import dev.egret.core.testing.H2cClient;
import dev.egret.core.testing.RawH2Client;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each HTTP/2 abuse pattern of hardening.md §3, performed with raw frames against a running Egret:
 * the attacker gets GOAWAY(ENHANCE_YOUR_CALM) (or the stream-level answer), the stat is counted, and
 * a well-behaved client on another connection is served meanwhile.
 */
class Http2AbuseIntegrationTest {
  static final String CONFIG = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: h2
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: h2
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/" }
                      direct_response: { status: 200, body: { inline_string: "ok" } }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      """;
  static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
  static final Duration WAIT = Duration.ofSeconds(10);

  private EgretHarness egret;
  private RawH2Client attacker;

  @BeforeEach
  void start() throws Exception {
    egret = new EgretHarness(CONFIG, Map.of());
    attacker = new RawH2Client(egret.port("h2"));
    attacker.preface();
  }

  @AfterEach
  void stop() throws Exception {
    attacker.close();
    egret.close();
  }

  @Test
  void rapidResetStormGetsGoAwayAndCountsInboundRstFlood() throws Exception {
    for (int batch = 0; batch < 3 && !attacker.goAwayReceived(); batch++) {
      int first = 1 + batch * 200;
      attacker.send(f -> {
        for (int id = first; id < first + 200; id += 2) {
          f.headers(id, RawH2Client.get("rr.test", "/"), true);
          f.rst(id, Http2Error.CANCEL.code());
        }
      });
    }
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_rst_flood")).isEqualTo(1);
    assertThat(stat("envoy_http2_rx_reset")).isGreaterThan(200);
    assertWellBehavedClientServed();
  }

  @Test
  void prematureResetRuleFromTheRuntimeClosesASlowResetStorm() throws Exception {
    String yaml = CONFIG + """
        layered_runtime:
          layers:
          - name: static
            static_layer:
              overload.premature_reset_total_stream_count: 20
              overload.premature_reset_min_stream_lifetime_seconds: 1
        """;
    try (EgretHarness tuned = new EgretHarness(yaml, Map.of());
        RawH2Client c = new RawH2Client(tuned.port("h2"))) {
      c.preface();
      c.send(f -> {
        for (int id = 1; id < 20; id += 2) { // 10 streams opened and reset at once: 10 × 2 >= 20
          f.headers(id, RawH2Client.get("pr.test", "/"), true);
          f.rst(id, Http2Error.CANCEL.code());
        }
      });
      RawH2Client.GoAway g = c.awaitGoAway(WAIT);
      assertThat(g.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(g.debugData()).contains("prematurely");
      String prom = tuned.admin("/stats/prometheus").body();
      assertThat(prom).contains(
          "envoy_http_downstream_rq_too_many_premature_resets{envoy_http_conn_manager_prefix=\"h2\"} 1");
      assertThat(prom).contains("envoy_http2_inbound_rst_flood 0");
    }
  }

  @Test
  void madeYouResetProvokedResetsGetGoAwayAndCountOutboundRstFlood() throws Exception {
    for (int batch = 0; batch < 4 && !attacker.goAwayReceived(); batch++) {
      int first = 1 + batch * 200;
      attacker.send(f -> {
        for (int id = first; id < first + 200; id += 2) {
          f.headers(id, RawH2Client.get("myr.test", "/"), false);
          f.windowUpdate(id, 0); // a stream error: Egret must reset the stream
        }
      });
    }
    assertGoAwayCalm();
    assertThat(attacker.reset(1)).as("stream 1 reset by Egret").isNotNull();
    assertThat(stat("envoy_http2_outbound_rst_flood")).isEqualTo(1);
    assertThat(stat("envoy_http2_tx_reset")).isGreaterThan(200);
    assertWellBehavedClientServed();
  }

  @Test
  void streamsBeyondTheConcurrencyLimitAreRefusedAndRepeatedOverrunsGetGoAway() throws Exception {
    attacker.send(f -> {
      for (int id = 1; id < 800; id += 2) { // 400 streams left open: 100 allowed, then REFUSED_STREAM
        f.headers(id, RawH2Client.get("many.test", "/"), false);
      }
    });
    assertGoAwayCalm();
    assertThat(attacker.reset(201)).isEqualTo(Http2Error.REFUSED_STREAM.code());
    assertThat(attacker.status(199)).as("the 100th stream is served").isEqualTo(200);
    assertThat(stat("envoy_http2_outbound_rst_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void floodOfSmallContinuationFramesGetsGoAway() throws Exception {
    attacker.send(f -> {
      f.frame(0x1, 1, 0, f.encode(1, RawH2Client.get("c.test", "/"))); // HEADERS without END_HEADERS
      for (int i = 0; i < 20; i++) {
        f.frame(0x9, 1, 0, Unpooled.wrappedBuffer(new byte[] {0x40}));
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_continuation_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void zeroLengthContinuationFramesCountAsEmptyFrames() throws Exception {
    attacker.send(f -> {
      f.frame(0x1, 1, 0, f.encode(1, RawH2Client.get("c.test", "/")));
      for (int i = 0; i < 3; i++) {
        f.frame(0x9, 1, 0, Unpooled.EMPTY_BUFFER);
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_empty_frames_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void headerBlockGrowingPastTheLimitInContinuationsIsAHeaderOverflow() throws Exception {
    attacker.send(f -> {
      f.frame(0x1, 1, 0, f.encode(1, RawH2Client.get("c.test", "/")));
      for (int i = 0; i < 6; i++) {
        f.frame(0x9, 1, 0, Unpooled.wrappedBuffer(new byte[16 * 1024]));
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_header_overflow")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void hpackBombIsRefusedWith431OnItsStreamAndTheConnectionStaysUsable() throws Exception {
    Http2Headers bomb = RawH2Client.get("bomb.test", "/");
    String big = "a".repeat(4000); // one dynamic-table entry, then 1-byte references to it
    for (int i = 0; i < 20; i++) {
      bomb.add("x-bomb", big);
    }
    attacker.send(f -> f.headers(1, bomb, true));
    awaitTrue(() -> attacker.status(1) != null || attacker.reset(1) != null, "stream 1 answered");
    assertThat(attacker.status(1)).isEqualTo(431);
    assertThat(stat("envoy_http2_header_overflow")).isEqualTo(1);

    attacker.send(f -> f.headers(3, RawH2Client.get("bomb.test", "/after"), true));
    awaitTrue(() -> attacker.status(3) != null, "stream 3 answered");
    assertThat(attacker.status(3)).isEqualTo(200);
    assertThat(attacker.goAwayReceived()).isFalse();
  }

  @Test
  void manyCookieCrumbsAreMeasuredDecoded() throws Exception {
    Http2Headers crumbs = RawH2Client.get("cookie.test", "/");
    for (int i = 0; i < 800; i++) {
      crumbs.add("cookie", "c" + i + "=" + "v".repeat(70));
    }
    attacker.send(f -> {
      ByteBuf block = f.encode(1, crumbs);
      // split into frames of at most 16 KiB: HEADERS then CONTINUATIONs
      int first = Math.min(16384, block.readableBytes());
      f.frame(0x1, 1, first == block.readableBytes() ? 0x5 : 0x1, block.readRetainedSlice(first));
      while (block.isReadable()) {
        int n = Math.min(16384, block.readableBytes());
        f.frame(0x9, 1, n == block.readableBytes() ? 0x4 : 0, block.readRetainedSlice(n));
      }
      block.release();
    });
    awaitTrue(() -> attacker.status(1) != null || attacker.reset(1) != null || attacker.goAwayReceived(),
        "stream 1 answered");
    assertThat(attacker.status(1)).isNotEqualTo(200);
    assertThat(stat("envoy_http2_header_overflow")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void pingFloodGetsGoAway() throws Exception {
    attacker.send(f -> {
      for (int i = 0; i < 150; i++) {
        f.ping(i);
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_ping_flood")).isEqualTo(1);
    assertThat(attacker.pingAcks()).isLessThanOrEqualTo(100);
    assertWellBehavedClientServed();
  }

  @Test
  void pingsAtAModestRateAreAnswered() throws Exception {
    attacker.send(f -> {
      for (int i = 0; i < 50; i++) {
        f.ping(i);
      }
    });
    awaitTrue(() -> attacker.pingAcks() == 50, "50 PING ACKs");
    assertThat(attacker.goAwayReceived()).isFalse();
  }

  @Test
  void settingsFloodGetsGoAway() throws Exception {
    attacker.send(f -> {
      for (int i = 0; i < 150; i++) {
        f.settings(new Http2Settings().initialWindowSize(65535 + i));
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_settings_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void priorityFloodGetsGoAway() throws Exception {
    attacker.send(f -> {
      for (int i = 0; i < 150; i++) {
        f.priority(3 + 2 * i, 0);
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_priority_frames_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void windowUpdateFloodGetsGoAway() throws Exception {
    attacker.send(f -> {
      for (int i = 0; i < 10; i++) {
        f.windowUpdate(0, 1);
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_window_update_frames_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void emptyDataFramesGetGoAway() throws Exception {
    attacker.send(f -> {
      f.headers(1, new DefaultHttp2Headers().method("POST").scheme("http").authority("e.test").path("/"), false);
      for (int i = 0; i < 3; i++) {
        f.data(1, Unpooled.EMPTY_BUFFER, false);
      }
    });
    assertGoAwayCalm();
    assertThat(stat("envoy_http2_inbound_empty_frames_flood")).isEqualTo(1);
    assertWellBehavedClientServed();
  }

  @Test
  void wellBehavedTrafficTripsNothing() throws Exception {
    for (int id = 1; id < 200; id += 2) {
      int sid = id;
      attacker.send(f -> f.headers(sid, RawH2Client.get("ok.test", "/"), true));
    }
    awaitTrue(() -> attacker.status(199) != null, "100 responses");
    assertThat(attacker.goAwayReceived()).isFalse();
    String prom = egret.admin("/stats/prometheus").body();
    assertThat(prom).contains("envoy_http2_inbound_rst_flood 0", "envoy_http2_outbound_flood 0",
        "envoy_http_downstream_rq_too_many_premature_resets{envoy_http_conn_manager_prefix=\"h2\"} 0");
  }

  private void assertGoAwayCalm() throws Exception {
    RawH2Client.GoAway g = attacker.awaitGoAway(WAIT);
    assertThat(g.errorCode()).as("GOAWAY error code (%s)", g.debugData()).isEqualTo(ENHANCE_YOUR_CALM);
    assertThat(attacker.awaitClosed(WAIT)).as("attacker's connection closed").isTrue();
  }

  private void assertWellBehavedClientServed() throws Exception {
    try (H2cClient good = new H2cClient(egret.port("h2"))) {
      H2cClient.Response r = good.get("good.test", "/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }
  }

  private long stat(String name) throws Exception {
    String prom = egret.admin("/stats/prometheus").body();
    for (String line : prom.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no stat " + name + " in\n" + prom);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }
}
