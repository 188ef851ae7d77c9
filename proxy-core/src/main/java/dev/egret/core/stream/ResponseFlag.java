package dev.egret.core.stream;

/** Envoy's core response flags: the short form printed by %RESPONSE_FLAGS%, the long by _LONG. */
public enum ResponseFlag {
  FAILED_LOCAL_HEALTH_CHECK("LH", "FailedLocalHealthCheck"),
  NO_HEALTHY_UPSTREAM("UH", "NoHealthyUpstream"),
  UPSTREAM_REQUEST_TIMEOUT("UT", "UpstreamRequestTimeout"),
  LOCAL_RESET("LR", "LocalReset"),
  UPSTREAM_REMOTE_RESET("UR", "UpstreamRemoteReset"),
  UPSTREAM_CONNECTION_FAILURE("UF", "UpstreamConnectionFailure"),
  UPSTREAM_CONNECTION_TERMINATION("UC", "UpstreamConnectionTermination"),
  UPSTREAM_OVERFLOW("UO", "UpstreamOverflow"),
  NO_ROUTE_FOUND("NR", "NoRouteFound"),
  DELAY_INJECTED("DI", "DelayInjected"),
  FAULT_INJECTED("FI", "FaultInjected"),
  RATE_LIMITED("RL", "RateLimited"),
  UNAUTHORIZED_EXTERNAL_SERVICE("UAEX", "UnauthorizedExternalService"),
  RATE_LIMIT_SERVICE_ERROR("RLSE", "RateLimitServiceError"),
  DOWNSTREAM_CONNECTION_TERMINATION("DC", "DownstreamConnectionTermination"),
  UPSTREAM_RETRY_LIMIT_EXCEEDED("URX", "UpstreamRetryLimitExceeded"),
  STREAM_IDLE_TIMEOUT("SI", "StreamIdleTimeout"),
  INVALID_ENVOY_REQUEST_HEADERS("IH", "InvalidEnvoyRequestHeaders"),
  DOWNSTREAM_PROTOCOL_ERROR("DPE", "DownstreamProtocolError"),
  UPSTREAM_MAX_STREAM_DURATION_REACHED("UMSDR", "UpstreamMaxStreamDurationReached"),
  RESPONSE_FROM_CACHE_FILTER("RFCF", "ResponseFromCacheFilter"),
  NO_FILTER_CONFIG_FOUND("NFCF", "NoFilterConfigFound"),
  DURATION_TIMEOUT("DT", "DurationTimeout"),
  UPSTREAM_PROTOCOL_ERROR("UPE", "UpstreamProtocolError"),
  NO_CLUSTER_FOUND("NC", "NoClusterFound"),
  OVERLOAD_MANAGER("OM", "OverloadManagerTerminated"),
  DNS_RESOLUTION_FAILED("DF", "DnsResolutionFailed"),
  DROP_OVERLOAD("DO", "DropOverload"),
  DOWNSTREAM_REMOTE_RESET("DR", "DownstreamRemoteReset"),
  UNCONDITIONAL_DROP_OVERLOAD("UDO", "UnconditionalDropOverload");

  private final String shortName;
  private final String longName;

  ResponseFlag(String shortName, String longName) {
    this.shortName = shortName;
    this.longName = longName;
  }

  public String shortName() {
    return shortName;
  }

  public String longName() {
    return longName;
  }

  /** Looks a flag up by its short form ({@code "UF"}); null when unknown. */
  public static ResponseFlag ofShortName(String s) {
    for (ResponseFlag f : values()) {
      if (f.shortName.equals(s)) {
        return f;
      }
    }
    return null;
  }
}
