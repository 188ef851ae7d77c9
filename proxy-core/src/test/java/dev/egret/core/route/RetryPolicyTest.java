package dev.egret.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.route.RetryPolicy.Failure;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryBackOff;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static RetryPolicy policy(String retryOn) {
    return policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder().setRetryOn(retryOn));
  }

  private static RetryPolicy policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.Builder b) {
    ConfigPath at = ConfigPath.root("retry_policy");
    RetryPolicy p = RetryPolicy.compile(b.build(), at);
    assertThat(at.errors()).isEmpty();
    return p;
  }

  private static com.google.protobuf.Duration ms(long ms) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
  }

  @Test
  void numRetriesDefaultsToOne() {
    assertThat(policy("5xx").numRetries()).isEqualTo(1);
    assertThat(policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder().setRetryOn("5xx")
        .setNumRetries(UInt32Value.of(3))).numRetries()).isEqualTo(3);
  }

  @Test
  void resetsFollowEnvoysEvaluationOrder() {
    assertThat(policy("connect-failure").retriable(Failure.CONNECT_FAILURE, false)).isTrue();
    assertThat(policy("connect-failure").retriable(Failure.RESET, true)).isFalse();
    assertThat(policy("connect-failure").retriable(Failure.PER_TRY_TIMEOUT, true)).isFalse();
    assertThat(policy("reset-before-request").retriable(Failure.RESET, false)).isTrue();
    assertThat(policy("reset-before-request").retriable(Failure.RESET, true)).isFalse();
    assertThat(policy("5xx").retriable(Failure.CONNECT_FAILURE, false)).isTrue();
    assertThat(policy("gateway-error").retriable(Failure.PER_TRY_TIMEOUT, true)).isTrue();
    assertThat(policy("reset").retriable(Failure.RESET, true)).isTrue();
    assertThat(policy("refused-stream").retriable(Failure.REFUSED_STREAM, true)).isTrue();
    assertThat(policy("refused-stream").retriable(Failure.RESET, true)).isFalse();
    assertThat(policy("5xx,reset,connect-failure").retriable(Failure.OVERFLOW, false)).isFalse();
    assertThat(policy("retriable-status-codes").retriable(Failure.CONNECT_FAILURE, false)).isFalse();
  }

  @Test
  void statusesFollowEnvoysEvaluationOrder() {
    HttpHeaders none = new DefaultHttpHeaders();
    assertThat(policy("5xx").retriable(500, none)).isTrue();
    assertThat(policy("5xx").retriable(404, none)).isFalse();
    assertThat(policy("gateway-error").retriable(500, none)).isFalse();
    assertThat(policy("gateway-error").retriable(503, none)).isTrue();
    assertThat(policy("retriable-4xx").retriable(409, none)).isTrue();
    assertThat(policy("retriable-4xx").retriable(404, none)).isFalse();
    RetryPolicy codes = policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
        .setRetryOn("retriable-status-codes").addRetriableStatusCodes(401));
    assertThat(codes.retriable(401, none)).isTrue();
    assertThat(codes.retriable(503, none)).isFalse();
    HttpHeaders rateLimited = new DefaultHttpHeaders().set("x-envoy-ratelimited", "true");
    assertThat(policy("5xx").retriable(503, rateLimited)).as("ratelimited without the token: never").isFalse();
    assertThat(policy("envoy-ratelimited").retriable(429, rateLimited)).isTrue();
    HttpHeaders grpcUnavailable = new DefaultHttpHeaders().set("grpc-status", "14");
    assertThat(policy("unavailable").retriable(200, grpcUnavailable)).isTrue();
    assertThat(policy("cancelled").retriable(200, grpcUnavailable)).isFalse();
  }

  @Test
  void unknownTokensAreIgnored() {
    assertThat(policy("5xx,not-a-token").retriable(503, new DefaultHttpHeaders())).isTrue();
  }

  @Test
  void backOffIsFullyJitteredWithinEnvoysBounds() {
    RetryPolicy p = policy("5xx"); // base 25 ms, max 250 ms
    SplittableRandom random = new SplittableRandom(42);
    long[] bound = {0, 25, 75, 175, 250, 250, 250};
    for (int n = 1; n <= 6; n++) {
      long max = -1;
      for (int i = 0; i < 2000; i++) {
        long d = p.backOffMillis(n, random);
        assertThat(d).isBetween(0L, bound[n] - 1);
        max = Math.max(max, d);
      }
      assertThat(max).as("retry %d reaches near its bound", n).isGreaterThan(bound[n] * 9 / 10);
    }
  }

  @Test
  void backOffHonoursConfiguredIntervals() {
    RetryPolicy p = policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder().setRetryOn("5xx")
        .setRetryBackOff(RetryBackOff.newBuilder().setBaseInterval(ms(50)).setMaxInterval(ms(120))));
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1000; i++) {
      assertThat(p.backOffMillis(1, random)).isLessThan(50);
      assertThat(p.backOffMillis(5, random)).isLessThan(120);
    }
    assertThat(p.backOffMillis(60, random)).isLessThan(120);
  }

  @Test
  void retriableHeadersAndRequestHeaders() {
    RetryPolicy p = policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
        .setRetryOn("retriable-headers")
        .addRetriableHeaders(io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
            .setName("x-upstream-retry").setPresentMatch(true))
        .addRetriableRequestHeaders(io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder()
            .setName("x-idempotent").setStringMatch(io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder()
                .setExact("yes"))));
    assertThat(p.retriable(200, new DefaultHttpHeaders().set("x-upstream-retry", "1"))).isTrue();
    assertThat(p.retriable(500, new DefaultHttpHeaders())).isFalse();
    assertThat(p.appliesTo(new DefaultHttpHeaders().set("x-idempotent", "yes"))).isTrue();
    assertThat(p.appliesTo(new DefaultHttpHeaders().set("x-idempotent", "no"))).isFalse();
    assertThat(policy("5xx").appliesTo(new DefaultHttpHeaders())).as("no request rule: every request").isTrue();
  }

  @Test
  void rateLimitedBackOffUsesTheFirstUsableResetHeader() {
    RetryPolicy p = policy(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
        .setRetryOn("envoy-ratelimited")
        .setRateLimitedRetryBackOff(io.envoyproxy.envoy.config.route.v3.RetryPolicy.RateLimitedRetryBackOff.newBuilder()
            .addResetHeaders(io.envoyproxy.envoy.config.route.v3.RetryPolicy.ResetHeader.newBuilder()
                .setName("Retry-After"))
            .addResetHeaders(io.envoyproxy.envoy.config.route.v3.RetryPolicy.ResetHeader.newBuilder()
                .setName("X-RateLimit-Reset")
                .setFormat(io.envoyproxy.envoy.config.route.v3.RetryPolicy.ResetHeaderFormat.UNIX_TIMESTAMP))
            .setMaxInterval(ms(10_000))));
    SplittableRandom random = new SplittableRandom(3);
    long now = 1_000_000_000_000L;
    for (int i = 0; i < 200; i++) {
      assertThat(p.rateLimitedBackOffMillis(new DefaultHttpHeaders().set("retry-after", "2"), now, random))
          .isBetween(2000L, 2999L);
      assertThat(p.rateLimitedBackOffMillis(new DefaultHttpHeaders().set("retry-after", "soon")
          .set("x-ratelimit-reset", Long.toString(now / 1000 + 4)), now, random)).isBetween(4000L, 5999L);
    }
    assertThat(p.rateLimitedBackOffMillis(new DefaultHttpHeaders().set("retry-after", "60"), now, random))
        .as("over max_interval: exponential back-off instead").isEqualTo(-1);
    assertThat(p.rateLimitedBackOffMillis(new DefaultHttpHeaders(), now, random)).isEqualTo(-1);
  }

  @Test
  void invalidPoliciesAreRejectedByPath() {
    ConfigPath at = ConfigPath.root("retry_policy");
    RetryPolicy p = RetryPolicy.compile(io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
        .setRetryOn("5xx")
        .setRetryBackOff(RetryBackOff.newBuilder().setBaseInterval(ms(100)).setMaxInterval(ms(10)))
        .addRetriableStatusCodes(42)
        .setRetryPriority(io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryPriority.newBuilder().setName("x"))
        .build(), at);
    assertThat(p).isNull();
    assertThat(at.errors()).extracting(e -> e.path()).containsExactlyInAnyOrder(
        "retry_policy.retry_priority", "retry_policy.retry_back_off.max_interval",
        "retry_policy.retriable_status_codes[0]");
  }
}
