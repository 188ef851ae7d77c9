package dev.egret.core.upstream;

import dev.egret.core.stats.ClusterStats;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Background DNS resolution of a STRICT_DNS or LOGICAL_DNS cluster. Each endpoint is a target with its
 * own timer, as in Envoy: after a successful lookup it waits the refresh rate (or the answer's TTL with
 * {@code respect_dns_ttl}), after a failed one the failure back-off, keeping the hosts it had.
 *
 * <p>STRICT_DNS: every address of every target is a host, duplicates dropped; an address that stays
 * keeps its {@link Host} object; a successful empty answer removes the target's hosts.
 * LOGICAL_DNS: one logical host, created on the first non-empty answer and moved to the first address
 * of each later one; an empty answer counts as a failure and changes nothing.
 *
 * <p>Everything here runs on the DNS event loop; the cluster's snapshot is published from it.
 */
final class DnsDiscovery {
  private static final Logger LOG = Logger.getLogger(DnsDiscovery.class.getName());

  private final UpstreamCluster cluster;
  private final ClusterStats stats;
  private final DnsSettings settings;
  private final boolean logical;
  private final EventLoop loop;
  private final DnsResolver resolver;
  private final List<Target> targets = new ArrayList<>();
  private Host logicalHost;
  private int pendingFirst;
  private boolean closed;

  DnsDiscovery(UpstreamCluster cluster, EventLoop loop, DnsResolver resolver) {
    this.cluster = cluster;
    this.stats = cluster.stats();
    this.settings = cluster.config().dns();
    this.logical = cluster.config().type() == DiscoveryType.LOGICAL_DNS;
    this.loop = loop;
    this.resolver = resolver;
    for (Endpoint e : cluster.config().endpoints()) {
      targets.add(new Target(e));
    }
    pendingFirst = targets.size();
  }

  void start() {
    loop.execute(() -> {
      if (targets.isEmpty()) {
        cluster.markInitialized();
      }
      for (Target t : targets) {
        t.resolve();
      }
    });
  }

  /** Stops resolving: cancels the timers and closes the resolver, on the loop (or here if it is gone). */
  void close() {
    try {
      loop.execute(this::closeNow);
    } catch (RejectedExecutionException e) {
      closeNow();
    }
  }

  private void closeNow() {
    if (closed) {
      return;
    }
    closed = true;
    for (Target t : targets) {
      if (t.timer != null) {
        t.timer.cancel(false);
      }
    }
    resolver.close();
  }

  private final class Target {
    final Endpoint endpoint;
    List<Host> hosts = List.of();
    int failures;
    boolean first = true;
    ScheduledFuture<?> timer;

    Target(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    void resolve() {
      if (closed) {
        return;
      }
      stats.updateAttempt.inc();
      Future<List<ResolvedAddress>> f = lookUp();
      f.addListener(done -> {
        if (!done.isSuccess()) {
          LOG.log(Level.FINE, "DNS lookup of " + endpoint.address() + " for cluster " + cluster.name()
              + " failed", done.cause());
        }
        onAnswer(done.isSuccess() ? f.getNow() : null);
      });
    }

    private Future<List<ResolvedAddress>> lookUp() {
      try {
        return resolver.resolve(endpoint.address(), settings.family());
      } catch (RuntimeException e) {
        return loop.newFailedFuture(e);
      }
    }

    void onAnswer(List<ResolvedAddress> answer) {
      if (closed) {
        return;
      }
      Duration next;
      if (answer == null || (logical && answer.isEmpty())) {
        stats.updateFailure.inc();
        failures++;
        next = settings.afterFailure(failures);
      } else {
        stats.updateSuccess.inc();
        failures = 0;
        next = settings.afterSuccess(minTtl(answer));
        if (logical) {
          updateLogical(answer.get(0).address());
        } else {
          updateStrict(answer);
        }
      }
      if (first) {
        first = false;
        if (--pendingFirst == 0) {
          cluster.markInitialized();
        }
      }
      timer = loop.schedule(this::resolve, next.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void updateLogical(InetAddress ip) {
      InetSocketAddress address = new InetSocketAddress(ip, endpoint.port());
      if (logicalHost == null) {
        logicalHost = new Host(address, endpoint.address(), endpoint.weight());
        cluster.publish(List.of(logicalHost));
      } else if (!logicalHost.address().equals(address)) {
        logicalHost.updateAddress(address);
      }
    }

    private void updateStrict(List<ResolvedAddress> answer) {
      Map<InetSocketAddress, Host> existing = new LinkedHashMap<>();
      for (Host h : cluster.hosts().hosts()) {
        existing.put(h.address(), h);
      }
      List<Host> mine = new ArrayList<>(answer.size());
      for (ResolvedAddress r : answer) {
        InetSocketAddress a = new InetSocketAddress(r.address(), endpoint.port());
        Host h = existing.get(a);
        if (h == null) {
          h = new Host(a, endpoint.address(), endpoint.weight());
          existing.put(a, h);
        }
        if (!mine.contains(h)) {
          mine.add(h);
        }
      }
      hosts = List.copyOf(mine);
      Map<InetSocketAddress, Host> union = new LinkedHashMap<>();
      for (Target t : targets) {
        for (Host h : t.hosts) {
          union.putIfAbsent(h.address(), h);
        }
      }
      List<Host> all = List.copyOf(union.values());
      if (!all.equals(cluster.hosts().hosts())) {
        cluster.publish(all);
      }
    }
  }

  /** The smallest TTL in the answer; 0 (use the refresh rate) when empty or when any TTL is 0. */
  private static long minTtl(List<ResolvedAddress> answer) {
    long min = Long.MAX_VALUE;
    for (ResolvedAddress r : answer) {
      min = Math.min(min, r.ttlSeconds());
    }
    return answer.isEmpty() ? 0 : min;
  }
}
