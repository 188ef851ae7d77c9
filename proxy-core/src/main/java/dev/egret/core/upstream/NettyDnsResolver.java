package dev.egret.core.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link DnsResolver} over Netty's {@link DnsNameResolver}, asking {@code A} and {@code AAAA}
 * questions with {@code resolveAll(DnsQuestion)} so that the answer's TTLs are visible. Netty's
 * caches are turned off: the cluster decides when to ask again. CNAMEs, search domains and the hosts
 * file are handled by Netty.
 *
 * <p>A name that does not exist (NXDOMAIN) or has no record of the asked type is a successful, empty
 * answer, as it is for Envoy's c-ares resolver; timeouts, server failures (SERVFAIL, REFUSED) and
 * network errors are failures. Netty reports "no records" and "no server answered" alike, so
 * {@link NoAnswerTracker} watches the queries to tell them apart; for a name expanded through search
 * domains only NXDOMAIN is recognised, and "no records" there counts as a failure.
 *
 * <p>Needs {@code netty-codec-dns} at run time (and compile time): the DNS message types.
 */
final class NettyDnsResolver implements DnsResolver {
  private static final long QUERY_TIMEOUT_MILLIS = 5000;

  private final EventLoop loop;
  private final NoAnswerTracker noAnswers;
  private final DnsNameResolver resolver;

  private NettyDnsResolver(EventLoop loop, NoAnswerTracker noAnswers, DnsNameResolverBuilder builder) {
    this.loop = loop;
    this.noAnswers = noAnswers;
    this.resolver = builder.build();
  }

  static NettyDnsResolver system(EventLoop loop) {
    NoAnswerTracker tracker = new NoAnswerTracker();
    DnsNameResolverBuilder b = builder(loop, tracker)
        .nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
    return new NettyDnsResolver(loop, tracker, b);
  }

  static NettyDnsResolver forServer(EventLoop loop, InetSocketAddress server) {
    NoAnswerTracker tracker = new NoAnswerTracker();
    DnsNameResolverBuilder b = builder(loop, tracker)
        .nameServerProvider(new SingletonDnsServerAddressStreamProvider(requireNonNull(server, "server")))
        .searchDomains(List.of());
    return new NettyDnsResolver(loop, tracker, b);
  }

  static NettyDnsResolver forServers(EventLoop loop, List<InetSocketAddress> servers,
      boolean platformSearchDomains) {
    NoAnswerTracker tracker = new NoAnswerTracker();
    DnsNameResolverBuilder b = builder(loop, tracker)
        .nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers));
    if (!platformSearchDomains) {
      b.searchDomains(List.of());
    }
    return new NettyDnsResolver(loop, tracker, b);
  }

  private static DnsNameResolverBuilder builder(EventLoop loop, NoAnswerTracker tracker) {
    requireNonNull(loop, "loop");
    boolean epoll = loop instanceof IoEventLoop io && io.isIoType(EpollIoHandler.class);
    DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
        .dnsQueryLifecycleObserverFactory(tracker)
        .resolveCache(NoopDnsCache.INSTANCE)
        .cnameCache(NoopDnsCnameCache.INSTANCE)
        .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
        .queryTimeoutMillis(QUERY_TIMEOUT_MILLIS)
        .recursionDesired(true);
    if (epoll) {
      b.datagramChannelType(EpollDatagramChannel.class).socketChannelType(EpollSocketChannel.class);
    } else {
      b.datagramChannelType(NioDatagramChannel.class).socketChannelType(NioSocketChannel.class);
    }
    return b;
  }

  @Override
  public Future<List<ResolvedAddress>> resolve(String hostname, DnsLookupFamily family) {
    requireNonNull(hostname, "hostname");
    requireNonNull(family, "family");
    Promise<List<ResolvedAddress>> promise = loop.newPromise();
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(hostname);
    if (literal != null) {
      return promise.setSuccess(List.of(new ResolvedAddress(literal, 0)));
    }
    switch (family) {
      case V4_ONLY -> query(hostname, DnsRecordType.A, promise);
      case V6_ONLY -> query(hostname, DnsRecordType.AAAA, promise);
      case AUTO -> preferring(hostname, DnsRecordType.AAAA, DnsRecordType.A, promise);
      case V4_PREFERRED -> preferring(hostname, DnsRecordType.A, DnsRecordType.AAAA, promise);
      case ALL -> both(hostname, promise);
    }
    return promise;
  }

  /** Asks {@code first}; asks {@code second} only when the first answer is empty. */
  private void preferring(String hostname, DnsRecordType first, DnsRecordType second,
      Promise<List<ResolvedAddress>> promise) {
    query(hostname, first, relay(promise, firstAnswer -> {
      if (!firstAnswer.isEmpty()) {
        promise.trySuccess(firstAnswer);
      } else {
        query(hostname, second, promise);
      }
    }));
  }

  /** Asks both families; fails only when both lookups fail. */
  private void both(String hostname, Promise<List<ResolvedAddress>> promise) {
    Promise<List<ResolvedAddress>> v4 = loop.newPromise();
    Promise<List<ResolvedAddress>> v6 = loop.newPromise();
    query(hostname, DnsRecordType.A, v4);
    query(hostname, DnsRecordType.AAAA, v6);
    v4.addListener(a -> v6.addListener(b -> {
      if (!a.isSuccess() && !b.isSuccess()) {
        promise.tryFailure(a.cause());
        return;
      }
      List<ResolvedAddress> all = new ArrayList<>();
      if (a.isSuccess()) {
        all.addAll(v4.getNow());
      }
      if (b.isSuccess()) {
        all.addAll(v6.getNow());
      }
      promise.trySuccess(List.copyOf(all));
    }));
  }

  private Promise<List<ResolvedAddress>> relay(Promise<List<ResolvedAddress>> outer,
      Consumer<List<ResolvedAddress>> onSuccess) {
    Promise<List<ResolvedAddress>> inner = loop.newPromise();
    inner.addListener(f -> {
      if (f.isSuccess()) {
        onSuccess.accept(inner.getNow());
      } else {
        outer.tryFailure(f.cause());
      }
    });
    return inner;
  }

  private void query(String hostname, DnsRecordType type, Promise<List<ResolvedAddress>> promise) {
    resolver.resolveAll(new DefaultDnsQuestion(hostname, type)).addListener(f -> {
      boolean noData = noAnswers.take(hostname, type);
      if (!f.isSuccess()) {
        if (noData || isNxDomain(f.cause())) {
          promise.trySuccess(List.of());
        } else {
          promise.tryFailure(f.cause());
        }
        return;
      }
      @SuppressWarnings("unchecked")
      List<DnsRecord> records = (List<DnsRecord>) f.getNow();
      try {
        promise.trySuccess(addresses(hostname, type, records));
      } catch (UnknownHostException | RuntimeException e) {
        promise.tryFailure(e);
      } finally {
        records.forEach(ReferenceCountUtil::release);
      }
    });
  }

  private static List<ResolvedAddress> addresses(String hostname, DnsRecordType type, List<DnsRecord> records)
      throws UnknownHostException {
    int size = type == DnsRecordType.A ? 4 : 16;
    List<ResolvedAddress> out = new ArrayList<>(records.size());
    for (DnsRecord r : records) {
      if (r.type() != type || !(r instanceof DnsRawRecord raw)) {
        continue;
      }
      ByteBuf content = raw.content();
      if (content.readableBytes() != size) {
        continue;
      }
      byte[] ip = ByteBufUtil.getBytes(content, content.readerIndex(), size);
      out.add(new ResolvedAddress(InetAddress.getByAddress(hostname, ip), Math.max(0, r.timeToLive())));
    }
    return List.copyOf(out);
  }

  /**
   * Whether Netty's failure says the name does not exist (its cause names NXDOMAIN), for lookups that
   * went through search domains, where the tracker saw other names.
   */
  private static boolean isNxDomain(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("NXDOMAIN")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    resolver.close();
  }
}
