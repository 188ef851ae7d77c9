package dev.egret.filters.fault;

import static java.util.Objects.requireNonNull;

import dev.egret.core.http.filter.HttpFilter;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.route.PerFilterConfig;
import dev.egret.core.stream.ResponseFlag;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Envoy's fault injection on one stream. The route's {@code HTTPFault} (if any) replaces the filter's.
 * When the request's headers match and {@code max_active_faults} allows: a delay holds the request
 * for {@code fixed_delay} on the event loop (flag {@code DI}), then an abort answers {@code http_status}
 * with body {@code fault filter abort}, details {@code fault_filter_abort} (flag {@code FI}); a gRPC
 * abort answers 200 with {@code grpc-status}. The delay and the abort are drawn independently.
 */
final class FaultFilter implements HttpFilter {
  private final String name;
  private final FaultConfig filterConfig;
  private final AtomicLong active;
  private final FaultStats stats;
  private boolean counted;
  private ScheduledFuture<?> delay;

  FaultFilter(String name, FaultConfig filterConfig, AtomicLong active, FaultStats stats) {
    this.stats = requireNonNull(stats);
    this.name = requireNonNull(name);
    this.filterConfig = requireNonNull(filterConfig);
    this.active = requireNonNull(active);
  }

  @Override
  public Status onRequestHeaders(HttpFilterCallbacks callbacks, HttpRequest request) {
    Object perRoute = callbacks.perRouteConfig(name);
    if (perRoute == PerFilterConfig.DISABLED) {
      return Status.CONTINUE;
    }
    FaultConfig c = perRoute instanceof FaultConfig r ? r : filterConfig;
    if (!c.hasDelay() && !c.hasAbort()) {
      return Status.CONTINUE;
    }
    for (FaultHeaderMatch m : c.headers()) {
      if (!m.matches(request.headers())) {
        return Status.CONTINUE;
      }
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    boolean delayed = c.hasDelay() && random.nextInt(1_000_000) < c.delayPerMillion();
    boolean aborted = c.hasAbort() && random.nextInt(1_000_000) < c.abortPerMillion();
    if (!delayed && !aborted) {
      return Status.CONTINUE;
    }
    if (c.maxActiveFaults() >= 0 && active.get() >= c.maxActiveFaults()) {
      stats.faultsOverflow().inc();
      return Status.CONTINUE;
    }
    active.incrementAndGet();
    counted = true;
    if (!delayed) {
      abort(callbacks, c);
      return Status.CONTINUE;
    }
    callbacks.info().setFlag(ResponseFlag.DELAY_INJECTED);
    stats.delaysInjected().inc();
    delay = callbacks.eventLoop().schedule(() -> {
      delay = null;
      if (aborted) {
        abort(callbacks, c);
      } else {
        callbacks.continueRequest();
      }
    }, c.delayMillis(), TimeUnit.MILLISECONDS);
    return Status.STOP;
  }

  private void abort(HttpFilterCallbacks callbacks, FaultConfig c) {
    stats.abortsInjected().inc();
    if (c.abortStatus() > 0) {
      callbacks.sendLocalReply(c.abortStatus(), "fault filter abort", "fault_filter_abort",
          ResponseFlag.FAULT_INJECTED, null);
      return;
    }
    HttpHeaders grpc = new DefaultHttpHeaders();
    grpc.set("content-type", "application/grpc");
    grpc.set("grpc-status", Integer.toString(c.grpcStatus()));
    grpc.set("grpc-message", "fault filter abort");
    callbacks.sendLocalReply(200, "", "fault_filter_abort", ResponseFlag.FAULT_INJECTED, grpc);
  }

  @Override
  public void onStreamEnd(HttpFilterCallbacks callbacks) {
    if (delay != null) {
      delay.cancel(false);
      delay = null;
    }
    if (counted) {
      counted = false;
      active.decrementAndGet();
    }
  }
}
