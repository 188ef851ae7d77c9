package dev.egret.filters.fault;

import com.google.protobuf.Any;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Protos;
import dev.egret.core.config.Fields;
import dev.egret.core.http.filter.FilterContext;
import dev.egret.core.http.filter.HttpFilterFactory;
import dev.egret.core.http.filter.HttpFilterProvider;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compiles {@code envoy.filters.http.fault} ({@code HTTPFault}), as filter configuration and as the
 * per-route replacement Istio sends for VirtualService fault injection. Supported: {@code
 * delay.fixed_delay}, {@code abort.http_status} / {@code abort.grpc_status}, their {@code percentage},
 * {@code headers} (simple matchers, see {@link FaultHeaderMatch}) and {@code max_active_faults}.
 * Header-controlled faults, rate limits, cluster/node scoping and runtime keys are rejected. An empty
 * {@code HTTPFault} (what istiod lists on every waypoint chain) injects nothing.
 */
public final class FaultFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public Set<String> perRouteTypeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    FaultConfig config = (FaultConfig) compilePerRoute(typedConfig, at, context);
    if (config == null) {
      return null;
    }
    AtomicLong active = new AtomicLong(); // faults in progress over every stream of this filter
    FaultStats stats = FaultStats.of(context);
    return () -> new FaultFilter(context.filterName(), config, active, stats);
  }

  @Override
  public Object compilePerRoute(Any typedConfig, ConfigPath at, FilterContext context) {
    HTTPFault p = Protos.unpack(typedConfig, HTTPFault.class, at);
    if (p == null) {
      return null;
    }
    return compile(p, at);
  }

  static FaultConfig compile(HTTPFault p, ConfigPath at) {
    int errors = at.errorCount();
    Fields.allowOnly(p, at, Set.of("delay", "abort", "headers", "max_active_faults"));
    long delayMillis = 0;
    int delayShare = 0;
    if (p.hasDelay()) {
      FaultDelay d = p.getDelay();
      ConfigPath da = at.field("delay");
      Fields.allowOnly(d, da, Set.of("fixed_delay", "percentage"));
      if (!d.hasFixedDelay()) {
        da.error("delay needs fixed_delay (header_delay is not supported by Egret)");
      } else {
        delayMillis = d.getFixedDelay().getSeconds() * 1000 + d.getFixedDelay().getNanos() / 1_000_000;
        if (delayMillis <= 0) {
          da.field("fixed_delay").error("fixed_delay must be at least 1 ms");
        }
      }
      delayShare = perMillion(d.getPercentage(), da.field("percentage"));
    }
    int abortStatus = 0;
    int grpcStatus = -1;
    int abortShare = 0;
    if (p.hasAbort()) {
      FaultAbort a = p.getAbort();
      ConfigPath aa = at.field("abort");
      Fields.allowOnly(a, aa, Set.of("http_status", "grpc_status", "percentage"));
      switch (a.getErrorTypeCase()) {
        case HTTP_STATUS -> {
          abortStatus = a.getHttpStatus();
          if (abortStatus < 200 || abortStatus >= 600) {
            aa.field("http_status").error("http_status must be within [200, 600)");
          }
        }
        case GRPC_STATUS -> grpcStatus = a.getGrpcStatus();
        default -> aa.error("abort needs http_status or grpc_status (header_abort is not supported by Egret)");
      }
      abortShare = perMillion(a.getPercentage(), aa.field("percentage"));
    }
    List<FaultHeaderMatch> headers = new ArrayList<>();
    for (int i = 0; i < p.getHeadersCount(); i++) {
      FaultHeaderMatch m = FaultHeaderMatch.compile(p.getHeaders(i), at.field("headers").index(i));
      if (m != null) {
        headers.add(m);
      }
    }
    long maxActive = p.hasMaxActiveFaults() ? p.getMaxActiveFaults().getValue() : -1;
    return at.errorCount() > errors ? null
        : new FaultConfig(delayMillis, delayShare, abortStatus, grpcStatus, abortShare, headers, maxActive);
  }

  /** A {@code FractionalPercent} in millionths, capped at 100 %. */
  static int perMillion(FractionalPercent f, ConfigPath at) {
    long scale = switch (f.getDenominator()) {
      case HUNDRED -> 10_000;
      case TEN_THOUSAND -> 100;
      case MILLION -> 1;
      default -> {
        at.field("denominator").error("unknown denominator " + f.getDenominatorValue());
        yield 0;
      }
    };
    return (int) Math.min(1_000_000L, f.getNumerator() * scale);
  }
}
