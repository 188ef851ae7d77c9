package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounded ring of recent entries and the summary it keeps. */
class RecentAccessLogTest {

  private static StreamInfo stream(int status, String path) {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", 12);
    info.setProtocol("HTTP/1.1");
    info.setRequest(Infos.request(HttpMethod.POST, path, "host", "api.example.com",
        "x-request-id", "abc", "user-agent", "curl/8", "x-forwarded-for", "10.0.0.1"));
    info.setResponse(Infos.response(status, "x-envoy-upstream-service-time", "9"));
    info.addBytesReceived(5);
    info.addBytesSent(17);
    return info;
  }

  @Test
  void keepsOnlyTheLastCapacityEntriesNewestFirst() {
    RecentAccessLog ring = new RecentAccessLog(3);
    for (int i = 0; i < 7; i++) {
      ring.record(stream(200, "/" + i));
    }
    assertThat(ring.recorded()).isEqualTo(7);
    assertThat(ring.newestFirst()).extracting(AccessLogEntry::path).containsExactly("/6", "/5", "/4");
  }

  @Test
  void partlyFilledRingListsWhatItHas() {
    RecentAccessLog ring = new RecentAccessLog(1000);
    assertThat(ring.newestFirst()).isEmpty();
    ring.record(stream(200, "/a"));
    ring.record(stream(503, "/b"));
    assertThat(ring.newestFirst()).extracting(AccessLogEntry::path).containsExactly("/b", "/a");
  }

  @Test
  void disabledRingKeepsNothing() {
    RecentAccessLog.DISABLED.record(stream(200, "/a"));
    assertThat(RecentAccessLog.DISABLED.newestFirst()).isEmpty();
    assertThat(RecentAccessLog.DISABLED.recorded()).isZero();
  }

  @Test
  void capacityComesFromTheSystemProperty() {
    String old = System.getProperty(RecentAccessLog.CAPACITY_PROPERTY);
    try {
      System.clearProperty(RecentAccessLog.CAPACITY_PROPERTY);
      assertThat(RecentAccessLog.fromSystemProperty().capacity())
          .isEqualTo(RecentAccessLog.DEFAULT_CAPACITY).isEqualTo(1000);
      System.setProperty(RecentAccessLog.CAPACITY_PROPERTY, "25");
      assertThat(RecentAccessLog.fromSystemProperty().capacity()).isEqualTo(25);
      System.setProperty(RecentAccessLog.CAPACITY_PROPERTY, "lots");
      assertThatThrownBy(RecentAccessLog::fromSystemProperty)
          .hasMessageContaining(RecentAccessLog.CAPACITY_PROPERTY);
    } finally {
      if (old == null) {
        System.clearProperty(RecentAccessLog.CAPACITY_PROPERTY);
      } else {
        System.setProperty(RecentAccessLog.CAPACITY_PROPERTY, old);
      }
    }
  }

  @Test
  void summaryCopiesTheFactsOperatorsFilterOn() {
    StreamInfo info = stream(503, "/rewritten");
    info.setOriginalPath("/original");
    info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    info.setFlag(ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
    info.setResponseCodeDetails("upstream_reset_before_response_started{remote_connection_failure}");
    info.setUpstreamCluster("outbound|443||api", "alt");
    info.setUpstreamHost("10.1.1.1:443");
    info.setAttemptCount(3);
    info.setUpstreamTransportFailureReason("delayed connect error: Connection refused");
    AccessLogEntry e = AccessLogEntry.of(info);
    assertThat(e.method()).isEqualTo("POST");
    assertThat(e.path()).isEqualTo("/original");
    assertThat(e.authority()).isEqualTo("api.example.com");
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.flagsText()).isEqualTo("URX,UF");
    assertThat(e.cluster()).isEqualTo("outbound|443||api");
    assertThat(e.attemptCount()).isEqualTo(3);
    assertThat(e.durationMillis()).isEqualTo(12);
    assertThat(e.transportFailureReason()).isEqualTo("delayed connect error: Connection refused");
    assertThat(e.requestId()).isEqualTo("abc");
    // a later write to the stream does not reach the summary
    info.setFlag(ResponseFlag.LOCAL_RESET);
    assertThat(e.flagsText()).isEqualTo("URX,UF");
  }

  @Test
  void summaryRendersTheSameDefaultLineAsTheFormatter() {
    StreamInfo info = stream(503, "/x?y=1");
    info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    info.setUpstreamHost("10.1.1.1:443");
    assertThat(AccessLogEntry.of(info).envoyDefaultLine())
        .isEqualTo(AccessLogFormat.envoyDefault().format(info))
        .isEqualTo("[2025-06-30T02:48:20.634Z] \"POST /x?y=1 HTTP/1.1\" 503 URX 5 17 12 9 "
            + "\"10.0.0.1\" \"curl/8\" \"abc\" \"api.example.com\" \"10.1.1.1:443\"\n");
    StreamInfo bare = Infos.at("2025-06-30T02:48:20.634Z", 3);
    assertThat(AccessLogEntry.of(bare).envoyDefaultLine())
        .isEqualTo(AccessLogFormat.envoyDefault().format(bare));
  }

  @Test
  void longFieldsAreCutSoEntriesStayBounded() {
    String longPath = "/" + "a".repeat(10_000);
    AccessLogEntry e = AccessLogEntry.of(stream(200, longPath));
    assertThat(e.path()).hasSize(AccessLogEntry.MAX_FIELD_CHARS);
  }

  @Test
  void jsonEscapesAndTypesValues() {
    StreamInfo info = stream(200, "/q\"uote");
    StringBuilder sb = new StringBuilder();
    AccessLogEntry.of(info).appendJson(sb);
    assertThat(sb.toString()).isEqualTo("{\"start_time\":\"2025-06-30T02:48:20.634Z\","
        + "\"method\":\"POST\",\"authority\":\"api.example.com\",\"path\":\"/q\\\"uote\","
        + "\"protocol\":\"HTTP/1.1\",\"response_code\":200,\"response_flags\":\"-\","
        + "\"response_code_details\":null,\"duration\":12,\"bytes_received\":5,\"bytes_sent\":17,"
        + "\"upstream_cluster\":null,\"upstream_host\":null,\"attempt_count\":0,"
        + "\"upstream_transport_failure_reason\":null,\"request_id\":\"abc\","
        + "\"user_agent\":\"curl/8\",\"x_forwarded_for\":\"10.0.0.1\",\"upstream_service_time\":\"9\"}");
  }

  @Test
  void concurrentRecordersNeverExceedCapacityAndKeepDistinctEntries() throws Exception {
    RecentAccessLog ring = new RecentAccessLog(64);
    int threads = 4;
    int perThread = 500;
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          ring.record(stream(200, "/" + id + "/" + i));
          if (i % 50 == 0) {
            assertThat(ring.newestFirst().size()).isLessThanOrEqualTo(64);
          }
        }
        done.countDown();
      });
      th.start();
      started.add(th);
    }
    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    for (Thread th : started) {
      th.join(5000);
    }
    List<AccessLogEntry> kept = ring.newestFirst();
    assertThat(ring.recorded()).isEqualTo(threads * perThread);
    assertThat(kept).hasSize(64);
    assertThat(kept).extracting(AccessLogEntry::path).doesNotHaveDuplicates();
  }
}
