package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.egret.core.internal.InternalAddress;
import io.netty.util.NetUtil;
import java.util.Map;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upstream endpoint of a cluster: a resolved socket address, the DNS name it came from (if any),
 * its load-balancing weight, and a count of requests in flight to it.
 *
 * <p>Hosts are compared by identity: a DNS refresh that returns an address already in the cluster
 * keeps the same {@code Host} object, so its request count and any connection pool keyed by it
 * survive the refresh. The active-request counter is atomic and may be touched from any event loop;
 * the router calls {@link #requestStarted()} when it sends a request to this host and
 * {@link #requestFinished()} exactly once when that request ends, and LEAST_REQUEST reads it.
 *
 * <p>The host of a LOGICAL_DNS cluster is <em>logical</em>: its address follows the first IP of the
 * latest DNS answer. New connections go to the current {@link #address()}; connections already open
 * to an older address are kept, as Envoy does.
 */
public final class Host {
  /** The address and its printed form, swapped together. */
  private record Addr(InetSocketAddress address, String text) {}

  private volatile Addr addr;
  private final String hostname;
  private final int weight;
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder requestsTotal = new LongAdder();
  private final LongAdder connectionsTotal = new LongAdder();
  private final LongAdder connectionsActive = new LongAdder();
  private volatile boolean failedOutlierCheck;
  private final InternalAddress internal; // nullable: a socket-address host
  private final Map<String, Struct> metadata;

  /**
   * @param address  a resolved address
   * @param hostname the DNS name the address came from, or null for an IP endpoint
   * @param weight   load-balancing weight, at least 1
   */
  public Host(InetSocketAddress address, String hostname, int weight) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
    this.addr = toAddr(address);
    this.hostname = hostname;
    this.weight = weight;
    this.internal = null;
    this.metadata = Map.of();
  }

  /**
   * A host for a STATIC or EDS endpoint: a socket address, or an internal listener. An internal
   * host's {@link #address()} is {@code 0.0.0.0:0} (nothing connects to it) and it prints as
   * {@code envoy://LISTENER/ENDPOINT_ID}.
   */
  public Host(Endpoint e) {
    if (e.weight() < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + e.weight());
    }
    this.hostname = null;
    this.weight = e.weight();
    this.internal = e.internal();
    this.metadata = e.metadata();
    if (internal != null) {
      this.addr = new Addr(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString("0.0.0.0"), 0),
          internal.toString());
    } else {
      this.addr = toAddr(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(e.address()), e.port()));
    }
  }

  /** The internal listener this host is, or null for a socket-address host. */
  public InternalAddress internal() {
    return internal;
  }

  /** The endpoint's {@code metadata.filter_metadata} by namespace (empty when none). */
  public Map<String, Struct> metadata() {
    return metadata;
  }

  /** What pools to this host are keyed by: its internal address, or its socket address. */
  public Object poolTarget() {
    return internal != null ? internal : addr.address;
  }

  /** A host of weight 1 with no DNS name. */
  public static Host of(InetSocketAddress address) {
    return new Host(address, null, 1);
  }

  private static Addr toAddr(InetSocketAddress address) {
    requireNonNull(address, "address");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("host address must be resolved: " + address);
    }
    return new Addr(address, format(address));
  }

  /** {@code ip:port}, or {@code [ipv6]:port}. */
  static String format(InetSocketAddress address) {
    String ip = NetUtil.toAddressString(address.getAddress());
    return address.getAddress() instanceof Inet6Address
        ? "[" + ip + "]:" + address.getPort()
        : ip + ":" + address.getPort();
  }

  /** The address new connections go to. */
  public InetSocketAddress address() {
    return addr.address;
  }

  /** The address as {@code ip:port} ({@code [ip]:port} for IPv6), as Envoy prints upstream hosts. */
  public String addressString() {
    return addr.text;
  }

  /** The DNS name this host was resolved from, or null. */
  public String hostname() {
    return hostname;
  }

  public int weight() {
    return weight;
  }

  /** Requests currently in flight to this host. */
  public int activeRequests() {
    return active.get();
  }

  public void requestStarted() {
    active.incrementAndGet();
    requestsTotal.increment();
  }

  /** Requests ever sent to this host ({@code rq_total} in {@code /clusters}). */
  public long requestsTotal() {
    return requestsTotal.sum();
  }

  /** An upstream connection to this host was established. */
  public void connectionOpened() {
    connectionsTotal.increment();
    connectionsActive.increment();
  }

  public void connectionClosed() {
    connectionsActive.decrement();
  }

  public long connectionsTotal() {
    return connectionsTotal.sum();
  }

  public long connectionsActive() {
    return connectionsActive.sum();
  }

  public void requestFinished() {
    active.decrementAndGet();
  }

  /**
   * Whether outlier detection has ejected this host ({@code /failed_outlier_check} in {@code
   * /clusters}); the load balancer then skips it unless the cluster is in panic.
   */
  public boolean failedOutlierCheck() {
    return failedOutlierCheck;
  }

  void setFailedOutlierCheck(boolean failed) {
    this.failedOutlierCheck = failed;
  }

  /** Moves a logical host to a new address (LOGICAL_DNS only); open connections are not touched. */
  void updateAddress(InetSocketAddress address) {
    this.addr = toAddr(address);
  }

  @Override
  public String toString() {
    return addr.text;
  }
}
