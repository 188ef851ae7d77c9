package dev.egret.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.egret.core.accesslog.RecentAccessLog;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /access_log} over a real admin server and a hand-filled ring. */
class AccessLogEndpointTest {
  private AdminHarness h;
  private final RecentAccessLog ring = new RecentAccessLog(10);

  @BeforeEach
  void start() {
    h = new AdminHarness();
    h.admin.recent = ring;
    // oldest first: 200 on api, 503 URX,UF on api, 404 NR, 504 UT on other
    ring.record(stream("2025-06-30T02:48:20.000Z", "/ok", 200, "api", 1));
    ring.record(stream("2025-06-30T02:48:21.000Z", "/retried", 503, "api", 3,
        ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED, ResponseFlag.UPSTREAM_CONNECTION_FAILURE));
    ring.record(stream("2025-06-30T02:48:22.000Z", "/nowhere", 404, null, 0,
        ResponseFlag.NO_ROUTE_FOUND));
    ring.record(stream("2025-06-30T02:48:23.500Z", "/slow", 504, "other", 1,
        ResponseFlag.UPSTREAM_REQUEST_TIMEOUT));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private static StreamInfo stream(String iso, String path, int status, String cluster, int attempts,
      ResponseFlag... flags) {
    StreamInfo info = new StreamInfo(Instant.parse(iso).toEpochMilli(), 0);
    info.markEnd(7_000_000L);
    info.setProtocol("HTTP/1.1");
    DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    req.headers().set("host", "api.example.com").set("x-request-id", "id" + path);
    info.setRequest(req);
    info.setResponseCode(status);
    for (ResponseFlag f : flags) {
      info.setFlag(f);
    }
    if (cluster != null) {
      info.setUpstreamCluster(cluster, null);
      info.setUpstreamHost("127.0.0.1:9000");
    }
    info.setAttemptCount(attempts);
    return info;
  }

  private JsonArray entries(String query) throws Exception {
    HttpResponse<String> r = h.get("/access_log?format=json" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
    assertThat(o.get("capacity").getAsInt()).isEqualTo(10);
    assertThat(o.get("recorded").getAsInt()).isEqualTo(4);
    return o.getAsJsonArray("entries");
  }

  private static String paths(JsonArray a) {
    StringBuilder sb = new StringBuilder();
    a.forEach(e -> sb.append(e.getAsJsonObject().get("path").getAsString()).append(' '));
    return sb.toString().trim();
  }

  @Test
  void listsEntriesNewestFirstAsText() throws Exception {
    HttpResponse<String> r = h.get("/access_log");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(
        "[2025-06-30T02:48:23.500Z] \"GET /slow HTTP/1.1\" 504 UT 0 0 7 - \"-\" \"-\" \"id/slow\" "
            + "\"api.example.com\" \"127.0.0.1:9000\"\n"
            + "[2025-06-30T02:48:22.000Z] \"GET /nowhere HTTP/1.1\" 404 NR 0 0 7 - \"-\" \"-\" "
            + "\"id/nowhere\" \"api.example.com\" \"-\"\n"
            + "[2025-06-30T02:48:21.000Z] \"GET /retried HTTP/1.1\" 503 URX,UF 0 0 7 - \"-\" \"-\" "
            + "\"id/retried\" \"api.example.com\" \"127.0.0.1:9000\"\n"
            + "[2025-06-30T02:48:20.000Z] \"GET /ok HTTP/1.1\" 200 - 0 0 7 - \"-\" \"-\" \"id/ok\" "
            + "\"api.example.com\" \"127.0.0.1:9000\"\n");
  }

  @Test
  void jsonCarriesFlagsAttemptsAndCluster() throws Exception {
    JsonArray a = entries("&response_flags=URX");
    assertThat(a).hasSize(1);
    JsonObject e = a.get(0).getAsJsonObject();
    assertThat(e.get("response_flags").getAsString()).isEqualTo("URX,UF");
    assertThat(e.get("attempt_count").getAsInt()).isEqualTo(3);
    assertThat(e.get("upstream_cluster").getAsString()).isEqualTo("api");
    assertThat(e.get("response_code").getAsInt()).isEqualTo(503);
    assertThat(e.get("start_time").getAsString()).isEqualTo("2025-06-30T02:48:21.000Z");
    assertThat(e.get("upstream_transport_failure_reason").isJsonNull()).isTrue();
  }

  @Test
  void responseFlagsMatchAnyListedFlag() throws Exception {
    assertThat(paths(entries("&response_flags=UT,NR"))).isEqualTo("/slow /nowhere");
    assertThat(paths(entries("&response_flags=UO"))).isEmpty();
  }

  @Test
  void statusAcceptsCodesAndClasses() throws Exception {
    assertThat(paths(entries("&status=5xx"))).isEqualTo("/slow /retried");
    assertThat(paths(entries("&status=503"))).isEqualTo("/retried");
    assertThat(paths(entries("&status=2xx,404"))).isEqualTo("/nowhere /ok");
  }

  @Test
  void clusterSinceAndLimitNarrowTheList() throws Exception {
    assertThat(paths(entries("&cluster=api"))).isEqualTo("/retried /ok");
    assertThat(paths(entries("&since=2025-06-30T02:48:21Z"))).isEqualTo("/slow /nowhere /retried");
    assertThat(paths(entries("&since=2025-06-30T04:48:22%2B02:00"))).isEqualTo("/slow /nowhere");
    assertThat(paths(entries("&limit=2"))).isEqualTo("/slow /nowhere");
    assertThat(paths(entries("&status=5xx&cluster=api&limit=5"))).isEqualTo("/retried");
  }

  @Test
  void badParametersAreAnswered400WithTheReason() throws Exception {
    assertThat(h.get("/access_log?status=5x").body()).contains("status must be");
    assertThat(h.get("/access_log?response_flags=NOPE").body()).contains("NOPE");
    assertThat(h.get("/access_log?since=yesterday").statusCode()).isEqualTo(400);
    assertThat(h.get("/access_log?limit=0").statusCode()).isEqualTo(400);
    assertThat(h.get("/access_log?format=xml").statusCode()).isEqualTo(400);
    HttpResponse<String> r = h.get("/access_log?flags=URX");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("unknown parameter 'flags'");
  }

  @Test
  void contextWithoutRingAnswersAnEmptyList() throws Exception {
    h.admin.recent = RecentAccessLog.DISABLED;
    HttpResponse<String> r = h.get("/access_log?format=json");
    assertThat(r.body()).isEqualTo("{\"capacity\":0,\"recorded\":0,\"entries\":[]}\n");
    assertThat(h.get("/access_log").body()).isEmpty();
  }
}
