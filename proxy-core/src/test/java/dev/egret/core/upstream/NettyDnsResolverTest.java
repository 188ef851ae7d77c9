package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NettyDnsResolverTest {
  private static EventLoopGroup group;
  private static TestDnsServer server;
  private static DnsResolver resolver;

  @BeforeAll
  static void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server = new TestDnsServer();
    resolver = DnsResolverFactory.nameServer(server.address()).create(group.next());
  }

  @AfterAll
  static void stop() {
    resolver.close();
    server.close();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static Future<List<ResolvedAddress>> resolve(String name, DnsLookupFamily family) throws Exception {
    Future<List<ResolvedAddress>> f = resolver.resolve(name, family);
    assertThat(f.await(5, TimeUnit.SECONDS)).as("lookup of " + name + " finished").isTrue();
    return f;
  }

  private static List<String> ips(String name, DnsLookupFamily family) throws Exception {
    Future<List<ResolvedAddress>> f = resolve(name, family);
    assertThat(f.cause()).isNull();
    return f.getNow().stream().map(r -> NetUtil.toAddressString(r.address())).toList();
  }

  @Test
  void answersCarryAddressesAndTtl() throws Exception {
    server.answer("two.test", 42, "127.0.0.2", "127.0.0.3");
    List<ResolvedAddress> r = resolve("two.test", DnsLookupFamily.V4_ONLY).getNow();
    assertThat(r).extracting(a -> NetUtil.toAddressString(a.address())).containsExactly("127.0.0.2", "127.0.0.3");
    assertThat(r).extracting(ResolvedAddress::ttlSeconds).containsOnly(42L);
  }

  @Test
  void noRecordsAndNoSuchNameAreSuccessfulEmptyAnswers() throws Exception {
    server.answer("empty.test", 30);
    assertThat(ips("empty.test", DnsLookupFamily.V4_ONLY)).isEmpty();
    assertThat(ips("empty.test", DnsLookupFamily.AUTO)).isEmpty();
    assertThat(ips("missing.test", DnsLookupFamily.V4_ONLY)).isEmpty();
  }

  @Test
  void serverFailureAndRefusalAreFailures() throws Exception {
    server.respond("servfail.test", DnsResponseCode.SERVFAIL);
    server.respond("refused.test", DnsResponseCode.REFUSED);
    assertThat(resolve("servfail.test", DnsLookupFamily.V4_ONLY).cause()).isNotNull();
    assertThat(resolve("refused.test", DnsLookupFamily.V4_ONLY).cause()).isNotNull();
    assertThat(resolve("refused.test", DnsLookupFamily.AUTO).cause()).isNotNull();
  }

  @Test
  void ipLiteralResolvesToItselfWithoutAQuestion() throws Exception {
    assertThat(ips("127.0.0.7", DnsLookupFamily.V6_ONLY)).containsExactly("127.0.0.7");
    assertThat(server.questions("127.0.0.7")).isZero();
  }

  @Test
  void lookupFamiliesChooseWhichRecordsAreAskedFor() throws Exception {
    server.answer("dual.test", 30, "127.0.0.2", "::2");
    server.answer("v4.test", 30, "127.0.0.4");
    assertThat(ips("dual.test", DnsLookupFamily.V4_ONLY)).containsExactly("127.0.0.2");
    assertThat(ips("dual.test", DnsLookupFamily.V6_ONLY)).containsExactly("::2");
    assertThat(ips("dual.test", DnsLookupFamily.AUTO)).containsExactly("::2");
    assertThat(ips("dual.test", DnsLookupFamily.V4_PREFERRED)).containsExactly("127.0.0.2");
    assertThat(ips("dual.test", DnsLookupFamily.ALL)).containsExactly("127.0.0.2", "::2");
    assertThat(ips("v4.test", DnsLookupFamily.AUTO)).containsExactly("127.0.0.4");
    assertThat(ips("v4.test", DnsLookupFamily.V6_ONLY)).isEmpty();
  }

  @Test
  void worksOnANativeEpollLoop() throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), "epoll not available");
    EventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      server.answer("epoll.test", 30, "127.0.0.8");
      DnsResolver r = DnsResolverFactory.nameServer(server.address()).create(epoll.next());
      Future<List<ResolvedAddress>> f = r.resolve("epoll.test", DnsLookupFamily.V4_ONLY);
      assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(f.getNow()).extracting(a -> NetUtil.toAddressString(a.address())).containsExactly("127.0.0.8");
      r.close();
    } finally {
      epoll.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
