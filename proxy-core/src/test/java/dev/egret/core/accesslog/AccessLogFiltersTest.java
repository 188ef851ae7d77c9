package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.ResponseFlag;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.DurationFilter;
import io.envoyproxy.envoy.config.accesslog.v3.GrpcStatusFilter;
import io.envoyproxy.envoy.config.accesslog.v3.HeaderFilter;
import io.envoyproxy.envoy.config.accesslog.v3.NotHealthCheckFilter;
import io.envoyproxy.envoy.config.accesslog.v3.OrFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.accesslog.v3.RuntimeFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.RuntimeUInt32;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Compiling and evaluating access-log filters. */
class AccessLogFiltersTest {

  private static StreamInfo stream(int status, long durationMs, ResponseFlag... flags) {
    StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", durationMs);
    info.setRequest(Infos.request(HttpMethod.GET, "/api/v1/items?x=1", "host", "api.example.com",
        "x-tenant", "blue", "x-multi", "a", "x-multi", "b", "x-empty", ""));
    if (status > 0) {
      info.setResponseCode(status);
    }
    for (ResponseFlag f : flags) {
      info.setFlag(f);
    }
    return info;
  }

  private static dev.egret.core.accesslog.AccessLogFilter compile(AccessLogFilter proto) {
    ConfigPath at = ConfigPath.root("filter");
    dev.egret.core.accesslog.AccessLogFilter f = AccessLogFilters.compile(proto, at);
    assertThat(at.errors()).isEmpty();
    assertThat(f).isNotNull();
    return f;
  }

  private static List<ConfigError> errors(AccessLogFilter proto) {
    ConfigPath at = ConfigPath.root("filter");
    assertThat(AccessLogFilters.compile(proto, at)).isNull();
    return at.errors();
  }

  private static ComparisonFilter cmp(ComparisonFilter.Op op, int value) {
    return ComparisonFilter.newBuilder().setOp(op)
        .setValue(RuntimeUInt32.newBuilder().setDefaultValue(value).setRuntimeKey("some.key")).build();
  }

  private static AccessLogFilter status(ComparisonFilter.Op op, int value) {
    return AccessLogFilter.newBuilder()
        .setStatusCodeFilter(StatusCodeFilter.newBuilder().setComparison(cmp(op, value))).build();
  }

  private static AccessLogFilter duration(ComparisonFilter.Op op, int value) {
    return AccessLogFilter.newBuilder()
        .setDurationFilter(DurationFilter.newBuilder().setComparison(cmp(op, value))).build();
  }

  private static AccessLogFilter flags(String... flags) {
    return AccessLogFilter.newBuilder()
        .setResponseFlagFilter(ResponseFlagFilter.newBuilder().addAllFlags(List.of(flags))).build();
  }

  private static AccessLogFilter header(HeaderMatcher.Builder m) {
    return AccessLogFilter.newBuilder().setHeaderFilter(HeaderFilter.newBuilder().setHeader(m)).build();
  }

  @Test
  void statusCodeFilterComparesWithTheDefaultValue() {
    var ge = compile(status(ComparisonFilter.Op.GE, 500));
    assertThat(ge.test(stream(503, 1))).isTrue();
    assertThat(ge.test(stream(500, 1))).isTrue();
    assertThat(ge.test(stream(499, 1))).isFalse();
    var eq = compile(status(ComparisonFilter.Op.EQ, 404));
    assertThat(eq.test(stream(404, 1))).isTrue();
    assertThat(eq.test(stream(405, 1))).isFalse();
    var le = compile(status(ComparisonFilter.Op.LE, 299));
    assertThat(le.test(stream(200, 1))).isTrue();
    assertThat(le.test(stream(300, 1))).isFalse();
  }

  @Test
  void streamWithoutResponseComparesAsStatusZero() {
    assertThat(compile(status(ComparisonFilter.Op.EQ, 0)).test(stream(0, 1))).isTrue();
    assertThat(compile(status(ComparisonFilter.Op.GE, 400)).test(stream(0, 1))).isFalse();
  }

  @Test
  void durationFilterComparesMilliseconds() {
    var slow = compile(duration(ComparisonFilter.Op.GE, 1000));
    assertThat(slow.test(stream(200, 1000))).isTrue();
    assertThat(slow.test(stream(200, 999))).isFalse();
    var fast = compile(duration(ComparisonFilter.Op.LE, 10));
    assertThat(fast.test(stream(200, 10))).isTrue();
    assertThat(fast.test(stream(200, 11))).isFalse();
  }

  @Test
  void durationFilterDoesNotMatchAStreamWithoutEnd() {
    assertThat(compile(duration(ComparisonFilter.Op.GE, 0)).test(stream(200, -1))).isFalse();
  }

  @Test
  void responseFlagFilterMatchesAnyListedFlag() {
    var f = compile(flags("URX", "UO"));
    assertThat(f.test(stream(503, 1, ResponseFlag.UPSTREAM_CONNECTION_FAILURE,
        ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED))).isTrue();
    assertThat(f.test(stream(503, 1, ResponseFlag.UPSTREAM_OVERFLOW))).isTrue();
    assertThat(f.test(stream(503, 1, ResponseFlag.UPSTREAM_CONNECTION_FAILURE))).isFalse();
    assertThat(f.test(stream(200, 1))).isFalse();
  }

  @Test
  void emptyResponseFlagFilterMatchesAnyFlag() {
    var f = compile(flags());
    assertThat(f.test(stream(404, 1, ResponseFlag.NO_ROUTE_FOUND))).isTrue();
    assertThat(f.test(stream(200, 1))).isFalse();
  }

  @Test
  void unknownResponseFlagIsRejectedAtItsIndex() {
    List<ConfigError> e = errors(flags("UF", "NOPE"));
    assertThat(e).extracting(ConfigError::path).containsExactly("filter.response_flag_filter.flags[1]");
    assertThat(e.get(0).message()).contains("NOPE");
  }

  @Test
  void notHealthCheckFilterMatchesEveryStream() {
    var f = compile(AccessLogFilter.newBuilder()
        .setNotHealthCheckFilter(NotHealthCheckFilter.getDefaultInstance()).build());
    assertThat(f.test(stream(200, 1))).isTrue();
    assertThat(f.test(stream(0, -1))).isTrue();
  }

  @Test
  void andFilterNeedsEverySubFilter() {
    var f = compile(AccessLogFilter.newBuilder().setAndFilter(AndFilter.newBuilder()
        .addFilters(status(ComparisonFilter.Op.GE, 500))
        .addFilters(duration(ComparisonFilter.Op.GE, 100))).build());
    assertThat(f.test(stream(503, 150))).isTrue();
    assertThat(f.test(stream(503, 50))).isFalse();
    assertThat(f.test(stream(200, 150))).isFalse();
  }

  @Test
  void orFilterNeedsOneSubFilter() {
    var f = compile(AccessLogFilter.newBuilder().setOrFilter(OrFilter.newBuilder()
        .addFilters(status(ComparisonFilter.Op.GE, 500))
        .addFilters(flags("NR"))).build());
    assertThat(f.test(stream(503, 1))).isTrue();
    assertThat(f.test(stream(404, 1, ResponseFlag.NO_ROUTE_FOUND))).isTrue();
    assertThat(f.test(stream(404, 1))).isFalse();
  }

  @Test
  void nestedFiltersLogOnlyFailuresOfOneTenant() {
    // (status >= 500 or any flag) and x-tenant == blue
    AccessLogFilter failures = AccessLogFilter.newBuilder().setOrFilter(OrFilter.newBuilder()
        .addFilters(status(ComparisonFilter.Op.GE, 500)).addFilters(flags())).build();
    var f = compile(AccessLogFilter.newBuilder().setAndFilter(AndFilter.newBuilder()
        .addFilters(failures)
        .addFilters(header(HeaderMatcher.newBuilder().setName("x-tenant").setExactMatch("blue"))))
        .build());
    assertThat(f.test(stream(503, 1))).isTrue();
    assertThat(f.test(stream(404, 1, ResponseFlag.NO_ROUTE_FOUND))).isTrue();
    assertThat(f.test(stream(200, 1))).isFalse();
    StreamInfo otherTenant = stream(503, 1);
    otherTenant.request().headers().set("x-tenant", "green");
    assertThat(f.test(otherTenant)).isFalse();
  }

  @Test
  void andOrWithOneSubFilterAreRejected() {
    List<ConfigError> e = errors(AccessLogFilter.newBuilder().setOrFilter(OrFilter.newBuilder()
        .addFilters(status(ComparisonFilter.Op.GE, 500))).build());
    assertThat(e).extracting(ConfigError::path).containsExactly("filter.or_filter.filters");
  }

  @Test
  void errorsInsideNestedFiltersKeepTheirPath() {
    List<ConfigError> e = errors(AccessLogFilter.newBuilder().setAndFilter(AndFilter.newBuilder()
        .addFilters(status(ComparisonFilter.Op.GE, 500))
        .addFilters(AccessLogFilter.newBuilder().setOrFilter(OrFilter.newBuilder()
            .addFilters(flags("UF"))
            .addFilters(AccessLogFilter.newBuilder().setGrpcStatusFilter(
                GrpcStatusFilter.newBuilder().addStatuses(GrpcStatusFilter.Status.UNAVAILABLE))))))
        .build());
    assertThat(e).extracting(ConfigError::path)
        .containsExactly("filter.and_filter.filters[1].or_filter.filters[1].grpc_status_filter");
  }

  @Test
  void unsupportedFiltersAreRejectedByPath() {
    assertThat(errors(AccessLogFilter.newBuilder().setRuntimeFilter(
        RuntimeFilter.newBuilder().setRuntimeKey("k")).build()))
        .extracting(ConfigError::path).containsExactly("filter.runtime_filter");
    assertThat(errors(AccessLogFilter.getDefaultInstance())).extracting(ConfigError::path)
        .containsExactly("filter");
  }

  @Test
  void statusFilterWithoutComparisonIsRejected() {
    assertThat(errors(AccessLogFilter.newBuilder().setStatusCodeFilter(
        StatusCodeFilter.getDefaultInstance()).build()))
        .extracting(ConfigError::path).containsExactly("filter.status_code_filter.comparison");
  }

  @Test
  void headerFilterMatchesExactPrefixSuffixContains() {
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("X-Tenant").setExactMatch("blue")))
        .test(stream(200, 1))).isTrue();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName(":path").setPrefixMatch("/api/")))
        .test(stream(200, 1))).isTrue();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName(":authority")
        .setSuffixMatch(".example.com"))).test(stream(200, 1))).isTrue();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName(":method").setContainsMatch("POS")))
        .test(stream(200, 1))).isFalse();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-multi").setExactMatch("a,b")))
        .test(stream(200, 1))).isTrue();
  }

  @Test
  void headerFilterStringMatchHonoursIgnoreCase() {
    var f = compile(header(HeaderMatcher.newBuilder().setName("x-tenant")
        .setStringMatch(StringMatcher.newBuilder().setExact("BLUE").setIgnoreCase(true))));
    assertThat(f.test(stream(200, 1))).isTrue();
    var strict = compile(header(HeaderMatcher.newBuilder().setName("x-tenant")
        .setStringMatch(StringMatcher.newBuilder().setExact("BLUE"))));
    assertThat(strict.test(stream(200, 1))).isFalse();
  }

  @Test
  void headerFilterPresenceAndInversion() {
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-empty"))).test(stream(200, 1)))
        .isTrue();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-absent"))).test(stream(200, 1)))
        .isFalse();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-absent").setPresentMatch(false)))
        .test(stream(200, 1))).isTrue();
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-tenant").setExactMatch("blue")
        .setInvertMatch(true))).test(stream(200, 1))).isFalse();
    // A missing header fails a value rule even when inverted...
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-absent").setExactMatch("blue")
        .setInvertMatch(true))).test(stream(200, 1))).isFalse();
    // ...unless it is treated as empty.
    assertThat(compile(header(HeaderMatcher.newBuilder().setName("x-absent").setExactMatch("blue")
        .setInvertMatch(true).setTreatMissingHeaderAsEmpty(true))).test(stream(200, 1))).isTrue();
  }

  @Test
  void headerFilterRegexAndRangeAreRejectedByPath() {
    assertThat(errors(header(HeaderMatcher.newBuilder().setName("x-tenant")
        .setSafeRegexMatch(RegexMatcher.newBuilder().setRegex("b.*")))))
        .extracting(ConfigError::path).containsExactly("filter.header_filter.header.safe_regex_match");
    assertThat(errors(header(HeaderMatcher.newBuilder().setName("x-tenant")
        .setStringMatch(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder()
            .setRegex("b.*"))))))
        .extracting(ConfigError::path)
        .containsExactly("filter.header_filter.header.string_match.safe_regex");
    assertThat(errors(header(HeaderMatcher.newBuilder().setName(":scheme").setExactMatch("https"))))
        .extracting(ConfigError::path).containsExactly("filter.header_filter.header.name");
  }
}
