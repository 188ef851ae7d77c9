package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each group of built-in operators in a text format. */
class OperatorTest {

  private static String fmt(String format, StreamInfo info) {
    return Infos.text(format).format(info);
  }

  private static StreamInfo blank() {
    return Infos.at("2025-06-30T02:48:20.634Z", -1);
  }

  @Test
  void requestHeadersAreCaseInsensitiveAndFallBackToAlternative() {
    StreamInfo info = blank();
    info.setRequest(Infos.request(HttpMethod.GET, "/a?b=c", "X-Custom", "v1", "Host", "h.example"));
    assertThat(fmt("%REQ(x-custom)% %REQ(X-CUSTOM)% %REQ(missing?X-Custom)% %REQ(missing?nope)%", info))
        .isEqualTo("v1 v1 v1 -");
    assertThat(fmt("%REQ(:METHOD)% %REQ(:PATH)% %REQ(:AUTHORITY)% %REQ(:SCHEME)%", info))
        .isEqualTo("GET /a?b=c h.example -");
  }

  @Test
  void repeatedHeaderValuesAreJoinedWithComma() {
    StreamInfo info = blank();
    info.setRequest(Infos.request(HttpMethod.GET, "/", "x-forwarded-for", "1.1.1.1",
        "x-forwarded-for", "2.2.2.2"));
    assertThat(fmt("%REQ(X-FORWARDED-FOR)%", info)).isEqualTo("1.1.1.1,2.2.2.2");
  }

  @Test
  void headerPresentWithEmptyValuePrintsEmptyLikeEnvoy() {
    StreamInfo info = blank();
    info.setRequest(Infos.request(HttpMethod.GET, "/", "x-empty", ""));
    assertThat(fmt("[%REQ(X-EMPTY)%]", info)).isEqualTo("[]");
  }

  @Test
  void schemeComesFromForwardedProto() {
    StreamInfo info = blank();
    info.setRequest(Infos.request(HttpMethod.GET, "/", "x-forwarded-proto", "https"));
    assertThat(fmt("%REQ(:SCHEME)%", info)).isEqualTo("https");
  }

  @Test
  void originalPathPrefersStreamInfoThenHeaderThenPath() {
    StreamInfo info = blank();
    info.setRequest(Infos.request(HttpMethod.GET, "/rewritten"));
    assertThat(fmt("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", info)).isEqualTo("/rewritten");
    info.setRequest(Infos.request(HttpMethod.GET, "/rewritten", "x-envoy-original-path", "/hdr"));
    assertThat(fmt("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", info)).isEqualTo("/hdr");
    info.setOriginalPath("/orig");
    assertThat(fmt("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", info)).isEqualTo("/orig");
  }

  @Test
  void responseHeadersStatusAndTrailers() {
    StreamInfo info = blank();
    assertThat(fmt("%RESP(:STATUS)% %RESP(content-type)% %TRAILER(grpc-status)%", info))
        .isEqualTo("- - -");
    info.setResponse(Infos.response(503, "Content-Type", "text/plain"));
    info.setResponseTrailers(Infos.headers("grpc-status", "14"));
    assertThat(fmt("%RESP(:STATUS)% %RESP(content-type)% %TRAILER(GRPC-STATUS)%", info))
        .isEqualTo("503 text/plain 14");
  }

  @Test
  void truncationCutsHeaderValues() {
    StreamInfo info = blank();
    info.setRequest(Infos.request(HttpMethod.GET, "/0123456789", "user-agent", "curl/8.14.1"));
    assertThat(fmt("%REQ(:PATH):5% %REQ(USER-AGENT):4% %REQ(USER-AGENT):100% %REQ(NOPE):3%", info))
        .isEqualTo("/0123 curl curl/8.14.1 -");
  }

  @Test
  void codeFlagsAndDetails() {
    StreamInfo info = blank();
    assertThat(fmt("%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_FLAGS_LONG% %RESPONSE_CODE_DETAILS% "
        + "%CONNECTION_TERMINATION_DETAILS%", info)).isEqualTo("0 - - - -");
    info.setResponseCode(503);
    info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    info.setFlag(ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
    info.setFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    info.setResponseCodeDetails("upstream_reset_before_response_started{connection_timeout}");
    info.setConnectionTerminationDetails("rbac_access_denied_matched_policy[none]");
    assertThat(fmt("%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_FLAGS_LONG% %RESPONSE_CODE_DETAILS% "
        + "%CONNECTION_TERMINATION_DETAILS%", info)).isEqualTo("503 URX,UF "
        + "UpstreamRetryLimitExceeded,UpstreamConnectionFailure "
        + "upstream_reset_before_response_started{connection_timeout} "
        + "rbac_access_denied_matched_policy[none]");
  }

  @Test
  void bytesDurationAndAttempts() {
    StreamInfo running = blank();
    assertThat(fmt("%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_REQUEST_ATTEMPT_COUNT% "
        + "%RESPONSE_DURATION%", running)).isEqualTo("0 0 - 0 -");
    StreamInfo done = Infos.at("2025-06-30T02:48:20.634Z", 42);
    done.addBytesReceived(10);
    done.addBytesReceived(5);
    done.addBytesSent(7);
    done.setAttemptCount(3);
    done.markUpstreamHeaders(done.startNanos() + 30_500_000L);
    assertThat(fmt("%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_REQUEST_ATTEMPT_COUNT% "
        + "%RESPONSE_DURATION%", done)).isEqualTo("15 7 42 3 30");
  }

  @Test
  void upstreamHostClusterAndFailureReason() {
    StreamInfo info = blank();
    assertThat(fmt("%UPSTREAM_HOST% %UPSTREAM_CLUSTER% %UPSTREAM_CLUSTER_RAW% "
        + "%UPSTREAM_LOCAL_ADDRESS% %UPSTREAM_TRANSPORT_FAILURE_REASON%", info))
        .isEqualTo("- - - - -");
    info.setUpstreamHost("[2001:db8::1]:443");
    info.setUpstreamCluster("outbound|443||x", "x-alt");
    info.setUpstreamLocalAddress("10.0.0.1:5555");
    info.setUpstreamTransportFailureReason("delayed connect error: Connection refused");
    assertThat(fmt("%UPSTREAM_HOST% %UPSTREAM_CLUSTER% %UPSTREAM_CLUSTER_RAW% "
        + "%UPSTREAM_LOCAL_ADDRESS% %UPSTREAM_TRANSPORT_FAILURE_REASON%", info))
        .isEqualTo("[2001:db8::1]:443 x-alt outbound|443||x 10.0.0.1:5555 "
            + "delayed connect error: Connection refused");
    assertThat(fmt("%UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %UPSTREAM_REMOTE_PORT% "
        + "%UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% %UPSTREAM_LOCAL_PORT%", info))
        .isEqualTo("2001:db8::1 443 10.0.0.1 5555");
  }

  @Test
  void clusterWithoutAltStatNameUsesName() {
    StreamInfo info = blank();
    info.setUpstreamCluster("plain", null);
    assertThat(fmt("%UPSTREAM_CLUSTER% %UPSTREAM_CLUSTER_RAW%", info)).isEqualTo("plain plain");
  }

  @Test
  void downstreamAddressesIncludingIpv6AndDirectRemote() {
    StreamInfo info = blank();
    assertThat(fmt("%DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
        + "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%", info)).isEqualTo("- - -");
    info.setDownstreamAddresses(Infos.addr("::1", 15008), Infos.addr("10.1.2.3", 4567));
    info.setDownstreamRemoteAddress(Infos.addr("2001:db8:0:0:0:0:0:7", 80));
    assertThat(fmt("%DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
        + "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%", info))
        .isEqualTo("[::1]:15008 [2001:db8::7]:80 10.1.2.3:4567");
    assertThat(fmt("%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% "
        + "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_PORT% "
        + "%DOWNSTREAM_REMOTE_PORT% %DOWNSTREAM_DIRECT_REMOTE_PORT%", info))
        .isEqualTo("::1 2001:db8::7 10.1.2.3 15008 80 4567");
  }

  @Test
  void tlsAndRouteFields() {
    StreamInfo info = blank();
    assertThat(fmt("%REQUESTED_SERVER_NAME% %ROUTE_NAME% %DOWNSTREAM_PEER_URI_SAN% "
        + "%DOWNSTREAM_LOCAL_URI_SAN% %PROTOCOL%", info)).isEqualTo("- - - - -");
    info.setRequestedServerName("api.example.com");
    info.setRouteName("default");
    info.setDownstreamPeerUriSan("spiffe://cluster.local/ns/a/sa/b");
    info.setDownstreamLocalUriSan("spiffe://cluster.local/ns/w/sa/waypoint");
    info.setProtocol("HTTP/2");
    assertThat(fmt("%REQUESTED_SERVER_NAME% %ROUTE_NAME% %DOWNSTREAM_PEER_URI_SAN% "
        + "%DOWNSTREAM_LOCAL_URI_SAN% %PROTOCOL%", info)).isEqualTo("api.example.com default "
        + "spiffe://cluster.local/ns/a/sa/b spiffe://cluster.local/ns/w/sa/waypoint HTTP/2");
  }

  @Test
  void hostnameIsTheMachineName() {
    assertThat(fmt("%HOSTNAME%", blank())).isEqualTo(Hostname.get()).isNotEqualTo("-");
  }

  @Test
  void doublePercentIsLiteralAndLiteralsSurviveAroundCommands() {
    assertThat(fmt("100%% of %RESPONSE_CODE%%%", blank())).isEqualTo("100% of 0%");
  }

  @Test
  void omitEmptyValuesPrintsNothingForUnset() {
    ConfigPath at = ConfigPath.root("f");
    AccessLogFormat f = AccessLogFormat.compileText("[%ROUTE_NAME%][%RESPONSE_FLAGS%][%DURATION%]",
        true, List.of(), at);
    assertThat(f.format(blank())).isEqualTo("[][-][]");
  }

  @Test
  void extraCommandParserAddsOperatorAndIsAskedFirst() {
    CommandParser custom = (command, argument, maxLength, at) -> switch (command) {
      case "FILTER_STATE" -> FormatOperator.truncated(
          (info, out) -> out.append("fs:").append(argument) != null, maxLength);
      case "ROUTE_NAME" -> (info, out) -> out.append("overridden") != null;
      default -> null;
    };
    ConfigPath at = ConfigPath.root("f");
    AccessLogFormat f = AccessLogFormat.compileText("%FILTER_STATE(io.istio.peer:PLAIN):8% %ROUTE_NAME%",
        false, List.of(custom), at);
    assertThat(at.errors()).isEmpty();
    assertThat(f.format(blank())).isEqualTo("fs:io.is overridden");
  }
}
