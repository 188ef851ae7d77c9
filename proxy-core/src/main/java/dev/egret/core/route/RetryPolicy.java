package dev.egret.core.route;

import static dev.egret.core.route.MatcherCompiler.allowOnly;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A compiled {@code retry_policy} (route or virtual host; a route's replaces its virtual host's as a
 * whole). It answers the router's two questions — may this failed attempt be retried, and how long to
 * wait first — with Envoy's rules (router.md §2–§4): which {@code retry_on} conditions cover which
 * resets and statuses, fully jittered exponential back-off, and the previous-hosts predicate.
 */
public final class RetryPolicy {
  /** The {@code retry_on} conditions Egret knows. Unknown tokens are ignored, as Envoy does. */
  public enum On {
    FIVE_XX("5xx"),
    GATEWAY_ERROR("gateway-error"),
    RESET("reset"),
    RESET_BEFORE_REQUEST("reset-before-request"),
    CONNECT_FAILURE("connect-failure"),
    RETRIABLE_4XX("retriable-4xx"),
    REFUSED_STREAM("refused-stream"),
    RETRIABLE_STATUS_CODES("retriable-status-codes"),
    RETRIABLE_HEADERS("retriable-headers"),
    ENVOY_RATELIMITED("envoy-ratelimited"),
    GRPC_CANCELLED("cancelled"),
    GRPC_DEADLINE_EXCEEDED("deadline-exceeded"),
    GRPC_INTERNAL("internal"),
    GRPC_RESOURCE_EXHAUSTED("resource-exhausted"),
    GRPC_UNAVAILABLE("unavailable");

    final String token;

    On(String token) {
      this.token = token;
    }

    static On of(String token) {
      for (On o : values()) {
        if (o.token.equals(token)) {
          return o;
        }
      }
      return null;
    }
  }

  /** Why an attempt failed without a response, as far as retrying is concerned. */
  public enum Failure {
    /** TCP connect refused or timed out, TLS handshake failed. */
    CONNECT_FAILURE,
    /** The stream was reset or the connection closed before a response. */
    RESET,
    /** HTTP/2 REFUSED_STREAM. */
    REFUSED_STREAM,
    /** The per-try timeout fired (a local reset). */
    PER_TRY_TIMEOUT,
    /** A circuit breaker refused the request: never retried. */
    OVERFLOW
  }

  static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
  static final String PREVIOUS_HOSTS_TYPE =
      "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate";
  static final long DEFAULT_BASE_MILLIS = 25;

  private final Set<On> on;
  private final int numRetries;
  private final Set<Integer> retriableStatusCodes;
  private final Duration perTryTimeout; // null = none
  private final long baseIntervalMillis;
  private final long maxIntervalMillis;
  private final boolean previousHosts;
  private final int hostSelectionMaxAttempts;
  private final List<HeaderMatch> retriableHeaders;
  private final List<HeaderMatch> retriableRequestHeaders;
  private final Duration perTryIdleTimeout; // null = none
  private final List<ResetHeader> rateLimitedResetHeaders;
  private final long rateLimitedMaxMillis;

  /** A {@code rate_limited_retry_back_off.reset_headers} entry. */
  record ResetHeader(String name, boolean unixTimestamp) {}

  private RetryPolicy(Set<On> on, int numRetries, Set<Integer> codes, Duration perTryTimeout, long base,
      long max, boolean previousHosts, int hostSelectionMaxAttempts, List<HeaderMatch> retriableHeaders,
      List<HeaderMatch> retriableRequestHeaders, Duration perTryIdleTimeout, List<ResetHeader> resetHeaders,
      long rateLimitedMaxMillis) {
    this.on = on;
    this.numRetries = numRetries;
    this.retriableStatusCodes = Set.copyOf(codes);
    this.perTryTimeout = perTryTimeout;
    this.baseIntervalMillis = base;
    this.maxIntervalMillis = max;
    this.previousHosts = previousHosts;
    this.hostSelectionMaxAttempts = hostSelectionMaxAttempts;
    this.retriableHeaders = List.copyOf(retriableHeaders);
    this.retriableRequestHeaders = List.copyOf(retriableRequestHeaders);
    this.perTryIdleTimeout = perTryIdleTimeout;
    this.rateLimitedResetHeaders = List.copyOf(resetHeaders);
    this.rateLimitedMaxMillis = rateLimitedMaxMillis;
  }

  /** Returns null after recording errors. */
  static RetryPolicy compile(io.envoyproxy.envoy.config.route.v3.RetryPolicy p, ConfigPath at) {
    int before = at.errorCount();
    allowOnly(p, at, Set.of("retry_on", "num_retries", "per_try_timeout", "retry_back_off",
        "retriable_status_codes", "retry_host_predicate", "host_selection_retry_max_attempts",
        "retriable_headers", "retriable_request_headers", "per_try_idle_timeout", "rate_limited_retry_back_off"));
    List<HeaderMatch> retriableHeaders = new ArrayList<>();
    for (int i = 0; i < p.getRetriableHeadersCount(); i++) {
      retriableHeaders.add(MatcherCompiler.header(p.getRetriableHeaders(i), at.field("retriable_headers").index(i)));
    }
    List<HeaderMatch> requestHeaders = new ArrayList<>();
    for (int i = 0; i < p.getRetriableRequestHeadersCount(); i++) {
      requestHeaders.add(MatcherCompiler.header(p.getRetriableRequestHeaders(i),
          at.field("retriable_request_headers").index(i)));
    }
    Duration perTryIdle = null;
    if (p.hasPerTryIdleTimeout()) {
      perTryIdle = Duration.ofSeconds(p.getPerTryIdleTimeout().getSeconds(), p.getPerTryIdleTimeout().getNanos());
      if (perTryIdle.isZero()) {
        perTryIdle = null;
      }
    }
    List<ResetHeader> resetHeaders = new ArrayList<>();
    long rateLimitedMax = 300_000;
    if (p.hasRateLimitedRetryBackOff()) {
      var rl = p.getRateLimitedRetryBackOff();
      ConfigPath ra = at.field("rate_limited_retry_back_off");
      allowOnly(rl, ra, Set.of("reset_headers", "max_interval"));
      for (int i = 0; i < rl.getResetHeadersCount(); i++) {
        var h = rl.getResetHeaders(i);
        allowOnly(h, ra.field("reset_headers").index(i), Set.of("name", "format"));
        resetHeaders.add(new ResetHeader(Ascii.toLowerCase(h.getName()),
            h.getFormat() == io.envoyproxy.envoy.config.route.v3.RetryPolicy.ResetHeaderFormat.UNIX_TIMESTAMP));
      }
      if (rl.getResetHeadersCount() == 0) {
        ra.field("reset_headers").error("at least one reset header is required");
      }
      if (rl.hasMaxInterval()) {
        rateLimitedMax = toMillisCeil(rl.getMaxInterval());
      }
    }
    Set<On> on = EnumSet.noneOf(On.class);
    for (String token : p.getRetryOn().split(",")) {
      On o = On.of(token.trim().toLowerCase(Locale.ROOT));
      if (o != null) {
        on.add(o);
      }
    }
    int retries = p.hasNumRetries() ? p.getNumRetries().getValue() : 1;
    Duration perTry = null;
    if (p.hasPerTryTimeout()) {
      perTry = Duration.ofSeconds(p.getPerTryTimeout().getSeconds(), p.getPerTryTimeout().getNanos());
      if (perTry.isZero()) {
        perTry = null;
      }
    }
    long base = DEFAULT_BASE_MILLIS;
    long max = -1;
    if (p.hasRetryBackOff()) {
      ConfigPath ba = at.field("retry_back_off");
      allowOnly(p.getRetryBackOff(), ba, Set.of("base_interval", "max_interval"));
      if (p.getRetryBackOff().hasBaseInterval()) {
        base = Math.max(1, toMillisCeil(p.getRetryBackOff().getBaseInterval()));
      } else {
        ba.field("base_interval").error("base_interval is required");
      }
      if (p.getRetryBackOff().hasMaxInterval()) {
        max = toMillisCeil(p.getRetryBackOff().getMaxInterval());
        if (max < base) {
          ba.field("max_interval").error("max_interval must be at least base_interval");
        }
      }
    }
    if (max < 0) {
      max = 10 * base;
    }
    Set<Integer> codes = new HashSet<>();
    for (int i = 0; i < p.getRetriableStatusCodesCount(); i++) {
      int c = p.getRetriableStatusCodes(i);
      if (c < 100 || c > 599) {
        at.field("retriable_status_codes").index(i).error("status " + c + " is not an HTTP status");
      }
      codes.add(c);
    }
    boolean previousHosts = false;
    for (int i = 0; i < p.getRetryHostPredicateCount(); i++) {
      var pred = p.getRetryHostPredicate(i);
      ConfigPath pa = at.field("retry_host_predicate").index(i);
      allowOnly(pred, pa, Set.of("name", "typed_config"));
      Any tc = pred.getTypedConfig();
      boolean isPrevious = tc.getTypeUrl().isEmpty() ? pred.getName().equals(PREVIOUS_HOSTS)
          : tc.getTypeUrl().equals(PREVIOUS_HOSTS_TYPE);
      if (isPrevious) {
        previousHosts = true;
      } else {
        pa.error("retry host predicate '" + pred.getName() + "' (" + tc.getTypeUrl() + ") is not supported by Egret");
      }
    }
    int hostAttempts = p.getHostSelectionRetryMaxAttempts() > 0 ? (int) p.getHostSelectionRetryMaxAttempts() : 1;
    if (at.errorCount() > before) {
      return null;
    }
    return new RetryPolicy(on, retries, codes, perTry, base, max, previousHosts, hostAttempts, retriableHeaders,
        requestHeaders, perTryIdle, resetHeaders, rateLimitedMax);
  }

  private static long toMillisCeil(com.google.protobuf.Duration d) {
    long ms = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    return (d.getNanos() % 1_000_000 != 0) ? ms + 1 : ms;
  }

  public int numRetries() {
    return numRetries;
  }

  /** The per-try timeout, or null. It is ignored when not shorter than a non-zero route timeout. */
  public Duration perTryTimeout() {
    return perTryTimeout;
  }

  public boolean retryOn(On o) {
    return on.contains(o);
  }

  /** {@code envoy.retry_host_predicates.previous_hosts}: avoid hosts already tried. */
  public boolean avoidPreviousHosts() {
    return previousHosts;
  }

  /** How many times host selection may be redone when the predicate rejects a host. */
  public int hostSelectionMaxAttempts() {
    return hostSelectionMaxAttempts;
  }

  /**
   * Whether a failure without a response is retriable (router.md §2, "evaluation order for resets").
   *
   * @param requestBytesSent whether any request byte reached the upstream in this attempt
   */
  public boolean retriable(Failure f, boolean requestBytesSent) {
    if (f == Failure.OVERFLOW) {
      return false;
    }
    if (f == Failure.CONNECT_FAILURE && on.contains(On.CONNECT_FAILURE)) {
      return true;
    }
    if (on.contains(On.RESET_BEFORE_REQUEST) && !requestBytesSent) {
      return true;
    }
    if (on.contains(On.RESET) || on.contains(On.FIVE_XX) || on.contains(On.GATEWAY_ERROR)) {
      return true;
    }
    return f == Failure.REFUSED_STREAM && on.contains(On.REFUSED_STREAM);
  }

  /** Whether a response with these headers is retriable (router.md §2, evaluation order for headers). */
  public boolean retriable(int status, HttpHeaders headers) {
    boolean rateLimited = headers.contains("x-envoy-ratelimited");
    if (rateLimited && !on.contains(On.ENVOY_RATELIMITED)) {
      return false;
    }
    if (on.contains(On.FIVE_XX) && status >= 500 && status <= 599) {
      return true;
    }
    if (on.contains(On.GATEWAY_ERROR) && status >= 502 && status <= 504) {
      return true;
    }
    if (on.contains(On.RETRIABLE_4XX) && status == 409) {
      return true;
    }
    if (on.contains(On.RETRIABLE_STATUS_CODES) && retriableStatusCodes.contains(status)) {
      return true;
    }
    if (on.contains(On.RETRIABLE_HEADERS) && !retriableHeaders.isEmpty()) {
      HeaderMatch.Request response = new HeaderMatch.Request(null, null, null, null, headers);
      for (HeaderMatch m : retriableHeaders) {
        if (m.matches(response)) {
          return true;
        }
      }
    }
    String grpc = headers.get("grpc-status");
    if (grpc != null) {
      switch (grpc.trim()) {
        case "1": if (on.contains(On.GRPC_CANCELLED)) { return true; } break;
        case "4": if (on.contains(On.GRPC_DEADLINE_EXCEEDED)) { return true; } break;
        case "8": if (on.contains(On.GRPC_RESOURCE_EXHAUSTED)) { return true; } break;
        case "13": if (on.contains(On.GRPC_INTERNAL)) { return true; } break;
        case "14": if (on.contains(On.GRPC_UNAVAILABLE)) { return true; } break;
        default: break;
      }
    }
    return rateLimited;
  }

  /** {@code retriable_request_headers}: when set, only requests matching one of them are retried. */
  public boolean appliesTo(HttpHeaders requestHeaders) {
    if (retriableRequestHeaders.isEmpty()) {
      return true;
    }
    HeaderMatch.Request request = new HeaderMatch.Request(null, null, null, null, requestHeaders);
    for (HeaderMatch m : retriableRequestHeaders) {
      if (m.matches(request)) {
        return true;
      }
    }
    return false;
  }

  /** {@code per_try_idle_timeout}, or null. */
  public Duration perTryIdleTimeout() {
    return perTryIdleTimeout;
  }

  /**
   * The wait before a retry decided from a rate-limited response ({@code rate_limited_retry_back_off}):
   * the first reset header that parses to at most the maximum gives {@code [interval, 1.5 × interval)};
   * -1 when none applies, and the exponential back-off is used.
   *
   * @param nowEpochMillis the clock, for {@code UNIX_TIMESTAMP} headers
   */
  public long rateLimitedBackOffMillis(HttpHeaders responseHeaders, long nowEpochMillis, RandomGenerator random) {
    for (ResetHeader h : rateLimitedResetHeaders) {
      String v = responseHeaders.get(h.name());
      if (v == null) {
        continue;
      }
      long seconds;
      try {
        seconds = Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        continue;
      }
      long interval = h.unixTimestamp() ? seconds * 1000 - nowEpochMillis : seconds * 1000;
      if (interval <= 0 || interval > rateLimitedMaxMillis) {
        continue;
      }
      return interval + random.nextLong(Math.max(1, interval / 2));
    }
    return -1;
  }

  /**
   * Fully jittered exponential back-off: retry {@code n} (1-based) waits a uniform random time in
   * {@code [0, (2^n - 1) × base)}, the bound capped at the maximum interval.
   */
  public long backOffMillis(int n, RandomGenerator random) {
    long factor = n >= 62 ? Long.MAX_VALUE : (1L << n) - 1;
    long bound = factor > maxIntervalMillis / Math.max(1, baseIntervalMillis)
        ? maxIntervalMillis : Math.min(maxIntervalMillis, factor * baseIntervalMillis);
    return bound <= 0 ? 0 : random.nextLong(bound);
  }
}
