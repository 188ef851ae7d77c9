package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.errors;
import static dev.egret.core.route.RouteFixtures.headers;
import static dev.egret.core.route.RouteFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigError;
import dev.egret.core.stream.StreamInfo;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Route-table header mutations: append actions, levels and their order, substitution, config errors. */
class HeaderMutationTest {
  /** A table whose only route adds {@code option} (one HeaderValueOption as JSON) to requests. */
  private static RouteEntry routeAdding(String option) {
    return table("{\"name\":\"rc\",\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[{"
        + "\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"},\"request_headers_to_add\":[" + option
        + "]}]}]}").virtualHosts().get(0).routes().get(0);
  }

  private static StreamInfo info(HttpHeaders requestHeaders) {
    StreamInfo info = StreamInfo.startingNow();
    DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x?y=1");
    req.headers().add(requestHeaders);
    info.setRequest(req);
    info.setProtocol("HTTP/1.1");
    info.setDownstreamAddresses(new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("10.1.2.3", 4567));
    return info;
  }

  private static HttpHeaders mutate(String option, HttpHeaders h) {
    routeAdding(option).mutateRequestHeaders(h, info(h), null);
    return h;
  }

  private static String opt(String key, String value, String action) {
    return "{\"header\":{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}"
        + (action == null ? "" : ",\"append_action\":\"" + action + "\"") + "}";
  }

  @Test
  void appendIfExistsOrAddIsTheDefaultAndAddsAnotherValue() {
    assertThat(mutate(opt("X-A", "2", null), headers("x-a", "1")).getAll("x-a")).containsExactly("1", "2");
    assertThat(mutate(opt("X-A", "2", null), headers()).getAll("x-a")).containsExactly("2");
    assertThat(mutate(opt("X-A", "2", "APPEND_IF_EXISTS_OR_ADD"), headers("x-a", "1")).getAll("x-a"))
        .containsExactly("1", "2");
  }

  @Test
  void addIfAbsentLeavesAnExistingHeaderAlone() {
    assertThat(mutate(opt("x-a", "2", "ADD_IF_ABSENT"), headers("x-a", "1")).getAll("x-a")).containsExactly("1");
    assertThat(mutate(opt("x-a", "2", "ADD_IF_ABSENT"), headers()).getAll("x-a")).containsExactly("2");
  }

  @Test
  void overwriteIfExistsOrAddReplacesEveryValue() {
    assertThat(mutate(opt("x-a", "3", "OVERWRITE_IF_EXISTS_OR_ADD"), headers("x-a", "1", "x-a", "2"))
        .getAll("x-a")).containsExactly("3");
    assertThat(mutate(opt("x-a", "3", "OVERWRITE_IF_EXISTS_OR_ADD"), headers()).getAll("x-a")).containsExactly("3");
  }

  @Test
  void overwriteIfExistsNeverAdds() {
    assertThat(mutate(opt("x-a", "3", "OVERWRITE_IF_EXISTS"), headers("x-a", "1")).getAll("x-a")).containsExactly("3");
    assertThat(mutate(opt("x-a", "3", "OVERWRITE_IF_EXISTS"), headers()).contains("x-a")).isFalse();
  }

  @Test
  void deprecatedAppendFalseOverwritesAndTrueAppends() {
    assertThat(mutate("{\"header\":{\"key\":\"x-a\",\"value\":\"2\"},\"append\":false}", headers("x-a", "1"))
        .getAll("x-a")).containsExactly("2");
    assertThat(mutate("{\"header\":{\"key\":\"x-a\",\"value\":\"2\"},\"append\":true}", headers("x-a", "1"))
        .getAll("x-a")).containsExactly("1", "2");
  }

  @Test
  void emptyValueIsSkippedUnlessKeepEmptyValue() {
    assertThat(mutate(opt("x-a", "%REQ(x-missing)%", null), headers()).contains("x-a")).isFalse();
    assertThat(mutate("{\"header\":{\"key\":\"x-a\",\"value\":\"\"},\"keep_empty_value\":true}", headers())
        .getAll("x-a")).containsExactly("");
  }

  @Test
  void valuesSubstituteAccessLogCommandsAndPercentPercent() {
    HttpHeaders h = mutate(opt("x-client", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% via %PROTOCOL% "
        + "for %REQ(x-user)% 100%%", null), headers("x-user", "ann"));
    assertThat(h.get("x-client")).isEqualTo("10.1.2.3 via HTTP/1.1 for ann 100%");
    assertThat(mutate(opt("x-addr", "%DOWNSTREAM_REMOTE_ADDRESS%", null), headers()).get("x-addr"))
        .isEqualTo("10.1.2.3:4567");
    assertThat(mutate(opt("x-t", "%START_TIME(%Y)%", null), headers()).get("x-t")).matches("\\d{4}");
  }

  @Test
  void filterStateAndDynamicMetadataCommands() {
    HttpHeaders h = headers();
    StreamInfo info = info(h);
    info.filterState().setString("io.istio.peer_principal", "spiffe://td/ns/a/sa/b");
    info.dynamicMetadata().merge("envoy.filters.http.ext_authz", com.google.protobuf.Struct.newBuilder()
        .putFields("user", com.google.protobuf.Value.newBuilder().setStringValue("ann").build())
        .putFields("n", com.google.protobuf.Value.newBuilder().setNumberValue(7).build()).build());
    RouteEntry r = routeAdding(opt("x-peer", "By=me;URI=%FILTER_STATE(io.istio.peer_principal:PLAIN)%", null) + ","
        + opt("x-legacy", "%PER_REQUEST_STATE(io.istio.peer_principal)%", null) + ","
        + opt("x-user", "%DYNAMIC_METADATA(envoy.filters.http.ext_authz:user)%", null) + ","
        + opt("x-n", "%DYNAMIC_METADATA([\\\"envoy.filters.http.ext_authz\\\",\\\"n\\\"])%", null) + ","
        + opt("x-none", "%DYNAMIC_METADATA(nope:x)%", null));
    r.mutateRequestHeaders(h, info, null);
    assertThat(h.get("x-peer")).isEqualTo("By=me;URI=spiffe://td/ns/a/sa/b");
    assertThat(h.get("x-legacy")).isEqualTo("spiffe://td/ns/a/sa/b");
    assertThat(h.get("x-user")).isEqualTo("ann");
    assertThat(h.get("x-n")).isEqualTo("7");
    assertThat(h.contains("x-none")).isFalse();
  }

  @Test
  void upstreamMetadataIsRefusedRatherThanLeftEmpty() {
    assertThat(errors("{\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[],"
        + "\"request_headers_to_add\":[" + opt("x-a", "%UPSTREAM_METADATA([\\\"ns\\\",\\\"k\\\"])%", null) + "]}]}"))
        .extracting(ConfigError::path).containsExactly("virtual_hosts[0].request_headers_to_add[0].header.value");
  }

  @Test
  void removalsRunBeforeAdditionsAndValuesSeeTheOriginalHeaders() {
    RouteEntry r = table("{\"name\":\"rc\",\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[{"
        + "\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"},"
        + "\"request_headers_to_remove\":[\"X-Old\",\"x-a\"],"
        + "\"request_headers_to_add\":[" + opt("x-a", "new", null) + "," + opt("x-copy", "%REQ(x-old)%", null)
        + "]}]}]}").virtualHosts().get(0).routes().get(0);
    HttpHeaders h = headers("x-old", "was", "x-a", "1");
    r.mutateRequestHeaders(h, info(h), null);
    assertThat(h.contains("x-old")).isFalse();
    assertThat(h.getAll("x-a")).containsExactly("new");
    assertThat(h.get("x-copy")).isEqualTo("was");
  }

  private static final String LEVELS = "\"request_headers_to_add\":[" + opt("x-level", "config",
      "OVERWRITE_IF_EXISTS_OR_ADD") + "],\"response_headers_to_add\":[" + opt("x-r", "config", null) + "],"
      + "\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],"
      + "\"request_headers_to_add\":[" + opt("x-level", "vhost", "OVERWRITE_IF_EXISTS_OR_ADD") + "],"
      + "\"response_headers_to_add\":[" + opt("x-r", "vhost", null) + "],"
      + "\"routes\":[{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"clusters\":["
      + "{\"name\":\"a\",\"weight\":1,\"request_headers_to_add\":[" + opt("x-level", "weighted",
      "OVERWRITE_IF_EXISTS_OR_ADD") + "],\"response_headers_to_add\":[" + opt("x-r", "weighted", null) + "]}]}},"
      + "\"request_headers_to_add\":[" + opt("x-level", "route", "OVERWRITE_IF_EXISTS_OR_ADD") + "],"
      + "\"response_headers_to_add\":[" + opt("x-r", "route", null) + "]}]}]";

  @Test
  void levelsApplyMostSpecificFirstSoTheLeastSpecificWins() {
    RouteEntry r = table("{\"name\":\"rc\"," + LEVELS + "}").virtualHosts().get(0).routes().get(0);
    WeightedCluster picked = r.clusterAction().pickWeighted(0);
    HttpHeaders h = headers();
    r.mutateRequestHeaders(h, info(h), picked);
    assertThat(h.get("x-level")).isEqualTo("config");
    HttpHeaders resp = headers();
    r.mutateResponseHeaders(resp, info(headers()), picked);
    assertThat(resp.getAll("x-r")).containsExactly("weighted", "route", "vhost", "config");
  }

  @Test
  void mostSpecificHeaderMutationsWinsReversesTheOrder() {
    RouteEntry r = table("{\"name\":\"rc\",\"most_specific_header_mutations_wins\":true," + LEVELS + "}")
        .virtualHosts().get(0).routes().get(0);
    WeightedCluster picked = r.clusterAction().pickWeighted(0);
    HttpHeaders h = headers();
    r.mutateRequestHeaders(h, info(h), picked);
    assertThat(h.get("x-level")).isEqualTo("weighted");
    HttpHeaders resp = headers();
    r.mutateResponseHeaders(resp, info(headers()), picked);
    assertThat(resp.getAll("x-r")).containsExactly("config", "vhost", "route", "weighted");
  }

  @Test
  void pseudoHeadersAndHostCannotBeMutated() {
    assertThat(errors("{\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],"
        + "\"request_headers_to_add\":[" + opt(":authority", "x", null) + "," + opt("Host", "x", null) + "],"
        + "\"response_headers_to_remove\":[\":status\",\"ok\",\"bad name\"],\"routes\":[]}]}"))
        .extracting(ConfigError::path).containsExactly(
            "virtual_hosts[0].request_headers_to_add[0].header.key",
            "virtual_hosts[0].request_headers_to_add[1].header.key",
            "virtual_hosts[0].response_headers_to_remove[0]",
            "virtual_hosts[0].response_headers_to_remove[2]");
  }

  @Test
  void badValuesAndConflictingAppendFieldsAreErrorsWithPaths() {
    assertThat(errors("{\"virtual_hosts\":[{\"name\":\"vh\",\"domains\":[\"*\"],\"routes\":[{"
        + "\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"},\"response_headers_to_add\":["
        + opt("x-a", "%NOT_A_COMMAND%", null) + ","
        + "{\"header\":{\"key\":\"x-b\",\"value\":\"v\"},\"append\":true,\"append_action\":\"ADD_IF_ABSENT\"},"
        + "{\"append_action\":\"ADD_IF_ABSENT\"},"
        + opt("x-c", "50% off", null) + "]}]}]}"))
        .extracting(ConfigError::path).containsExactly(
            "virtual_hosts[0].routes[0].response_headers_to_add[0].header.value",
            "virtual_hosts[0].routes[0].response_headers_to_add[1]",
            "virtual_hosts[0].routes[0].response_headers_to_add[2].header",
            "virtual_hosts[0].routes[0].response_headers_to_add[3].header.value");
  }

  @Test
  void aRouteWithoutMutationsChangesNothing() {
    RouteEntry r = RouteFixtures.routes("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"}}")
        .virtualHosts().get(0).routes().get(0);
    assertThat(r.mutatesResponseHeaders()).isFalse();
    HttpHeaders h = headers("x-a", "1");
    r.mutateRequestHeaders(h, info(h), null);
    assertThat(h.names()).containsExactly("x-a");
  }
}
