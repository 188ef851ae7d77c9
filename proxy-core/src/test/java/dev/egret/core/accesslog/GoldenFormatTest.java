package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** Whole lines of Envoy's default and Istio's formats for known streams. */
class GoldenFormatTest {

  @Test
  void envoyDefaultFormatMatchesEnvoyDocumentationExample() {
    StreamInfo info = Infos.at("2016-04-15T20:17:00.310Z", 226);
    info.setProtocol("HTTP/2");
    info.setRequest(Infos.request(HttpMethod.POST, "/api/v1/locations",
        "x-forwarded-for", "10.0.35.28", "user-agent", "nsq2http",
        "x-request-id", "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2", "host", "locations"));
    info.setResponse(Infos.response(204, "x-envoy-upstream-service-time", "100"));
    info.addBytesReceived(154);
    info.setUpstreamHost("tcp://10.0.2.1:80");

    assertThat(AccessLogFormat.envoyDefault().format(info)).isEqualTo(
        "[2016-04-15T20:17:00.310Z] \"POST /api/v1/locations HTTP/2\" 204 - 154 0 226 100 "
            + "\"10.0.35.28\" \"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" "
            + "\"tcp://10.0.2.1:80\"\n");
  }

  @Test
  void envoyDefaultFormatOfEmptyStreamPrintsDashesAndZeroCode() {
    StreamInfo info = Infos.at("2025-01-02T03:04:05.006Z", -1);
    assertThat(AccessLogFormat.envoyDefault().format(info)).isEqualTo(
        "[2025-01-02T03:04:05.006Z] \"- - -\" 0 - 0 0 - - \"-\" \"-\" \"-\" \"-\" \"-\"\n");
  }

  static StreamInfo istioWaypointExample() {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", 1477);
    info.setProtocol("HTTP/1.1");
    info.setRequest(Infos.request(HttpMethod.GET, "/get", "host", "httpbin.org",
        "user-agent", "curl/8.14.1", "x-request-id", "6f1c2b4e-9a0d-4c1e-8f5a-2b7d3e4f5a6b"));
    info.setResponse(Infos.response(200, "x-envoy-upstream-service-time", "1477"));
    info.setResponseCodeDetails("via_upstream");
    info.addBytesSent(255);
    info.setUpstreamHost("44.207.188.95:443");
    info.setUpstreamCluster("inbound-vip|80|http|httpbin.org", "httpbin.org-stats");
    info.setUpstreamLocalAddress("10.42.0.8:40324");
    info.setDownstreamAddresses(Infos.addr("240.240.0.3", 80), Infos.addr("10.42.0.9", 35662));
    info.setRouteName("default");
    info.setAttemptCount(1);
    return info;
  }

  @Test
  void istioTextFormatReproducesWaypointExample() {
    assertThat(AccessLogFormat.istioText().format(istioWaypointExample())).isEqualTo(
        "[2025-06-30T02:48:20.634Z] \"GET /get HTTP/1.1\" 200 - via_upstream - \"-\" 0 255 1477 1477 "
            + "\"-\" \"curl/8.14.1\" \"6f1c2b4e-9a0d-4c1e-8f5a-2b7d3e4f5a6b\" \"httpbin.org\" "
            + "\"44.207.188.95:443\" inbound-vip|80|http|httpbin.org 10.42.0.8:40324 240.240.0.3:80 "
            + "10.42.0.9:35662 - default\n");
  }

  @Test
  void istioTextFormatOfTcpConnectFailure() {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", 12);
    info.setFlag(ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
    info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    info.setUpstreamTransportFailureReason("delayed connect error: Connection refused");
    info.addBytesReceived(0);
    info.setUpstreamHost("10.0.0.7:443");
    info.setUpstreamCluster("outbound|443||api.example.com", null);
    info.setDownstreamAddresses(Infos.addr("240.240.0.3", 443), Infos.addr("10.42.0.9", 35662));
    info.setRequestedServerName("api.example.com");

    assertThat(AccessLogFormat.istioText().format(info)).isEqualTo(
        "[2025-06-30T02:48:20.634Z] \"- - -\" 0 UF,URX - - \"delayed connect error: Connection refused\" "
            + "0 0 12 - \"-\" \"-\" \"-\" \"-\" \"10.0.0.7:443\" outbound|443||api.example.com - "
            + "240.240.0.3:443 10.42.0.9:35662 api.example.com -\n");
  }
}
