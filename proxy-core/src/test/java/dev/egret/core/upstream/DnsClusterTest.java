package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.ClusterStats;
import dev.egret.core.stats.Stats;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DnsClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** One membership change as a listener saw it. */
  record Change(List<String> current, List<Host> added, List<Host> removed) {}

  private EventLoopGroup group;
  private TestDnsServer dns;
  private final Stats stats = new Stats();
  private final List<UpstreamCluster> clusters = new ArrayList<>();
  private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dns = new TestDnsServer();
  }

  @AfterEach
  void stop() {
    clusters.forEach(UpstreamCluster::close);
    dns.close();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private UpstreamCluster startCluster(Cluster.Builder proto) throws Exception {
    ConfigPath at = ConfigPath.root("clusters[0]");
    UpstreamCluster c = UpstreamCluster.compile(proto.build(), at, DnsResolverFactory.nameServer(dns.address()), stats);
    at.throwIfErrors();
    c.addHostSetListener((current, added, removed) ->
        changes.add(new Change(addresses(current), added, removed)));
    clusters.add(c);
    c.start(group.next());
    return c;
  }

  private static Cluster.Builder dnsCluster(String name, Cluster.DiscoveryType type, LbEndpoint... endpoints) {
    return ClusterCompilerTest.cluster(name, type, endpoints)
        .setDnsRefreshRate(Durations.fromMillis(100))
        .setDnsFailureRefreshRate(Cluster.RefreshRate.newBuilder().setBaseInterval(Durations.fromMillis(50)))
        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY);
  }

  private static List<String> addresses(HostSet set) {
    return set.hosts().stream().map(Host::addressString).toList();
  }

  /** Waits for the membership change that makes the cluster's addresses {@code expected}. */
  private Change awaitChangeTo(List<String> expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Change c = changes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(c).as("a change to " + expected + " within " + WAIT).isNotNull();
      if (c.current().equals(expected)) {
        return c;
      }
    }
  }

  @Test
  void strictDnsFollowsEveryAnswerAndAnEmptyAnswerEmptiesTheCluster() throws Exception {
    dns.answer("svc.test", 30, "127.0.0.2", "127.0.0.3");
    UpstreamCluster c = startCluster(dnsCluster("strict", Cluster.DiscoveryType.STRICT_DNS,
        ClusterCompilerTest.lbEndpoint("svc.test", 8080, 0)));
    c.initialized().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(addresses(c.hosts())).containsExactly("127.0.0.2:8080", "127.0.0.3:8080");
    assertThat(c.hosts().get(0).hostname()).isEqualTo("svc.test");
    Host kept = c.hosts().get(1);
    Host dropped = c.hosts().get(0);
    assertThat(awaitChangeTo(List.of("127.0.0.2:8080", "127.0.0.3:8080")).added()).hasSize(2);

    dns.answer("svc.test", 30, "127.0.0.3", "127.0.0.4");
    Change moved = awaitChangeTo(List.of("127.0.0.3:8080", "127.0.0.4:8080"));
    assertThat(c.hosts().get(0)).isSameAs(kept);
    assertThat(moved.added()).extracting(Host::addressString).containsExactly("127.0.0.4:8080");
    assertThat(moved.removed()).containsExactly(dropped);

    dns.answer("svc.test", 30);
    awaitChangeTo(List.of());
    assertThat(c.chooseHost()).isNull();

    ClusterStats s = stats.cluster("strict");
    assertThat(s.membershipChange.value()).isEqualTo(3);
    assertThat(s.updateSuccess.value()).isGreaterThanOrEqualTo(3);
    assertThat(s.updateAttempt.value()).isGreaterThanOrEqualTo(s.updateSuccess.value());
    assertThat(s.updateFailure.value()).isZero();
  }

  @Test
  void strictDnsMergesEndpointsAndDropsDuplicates() throws Exception {
    dns.answer("a.test", 30, "127.0.0.2", "127.0.0.3");
    dns.answer("b.test", 30, "127.0.0.3", "127.0.0.5");
    UpstreamCluster c = startCluster(dnsCluster("merged", Cluster.DiscoveryType.STRICT_DNS,
        ClusterCompilerTest.lbEndpoint("a.test", 80, 0), ClusterCompilerTest.lbEndpoint("b.test", 80, 0),
        ClusterCompilerTest.lbEndpoint("127.0.0.9", 80, 0)));
    c.initialized().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    awaitChangeTo(List.of("127.0.0.2:80", "127.0.0.3:80", "127.0.0.5:80", "127.0.0.9:80"));
  }

  @Test
  void strictDnsKeepsItsHostsWhenALookupFails() throws Exception {
    dns.answer("flaky.test", 30, "127.0.0.2");
    UpstreamCluster c = startCluster(dnsCluster("flaky", Cluster.DiscoveryType.STRICT_DNS,
        ClusterCompilerTest.lbEndpoint("flaky.test", 80, 0)));
    awaitChangeTo(List.of("127.0.0.2:80"));
    dns.respond("flaky.test", DnsResponseCode.SERVFAIL);
    int asked = dns.questions("flaky.test");
    // The lookup after the next one is only sent once the failed one has been handled.
    assertThat(dns.awaitQuestions("flaky.test", asked + 2, WAIT)).isTrue();
    assertThat(addresses(c.hosts())).containsExactly("127.0.0.2:80");
    assertThat(stats.cluster("flaky").updateFailure.value()).isPositive();
    assertThat(changes).isEmpty();
  }

  @Test
  void logicalDnsUsesOnlyTheFirstAddressAndMovesItsSingleHost() throws Exception {
    dns.answer("logical.test", 30, "127.0.0.2", "127.0.0.3");
    UpstreamCluster c = startCluster(dnsCluster("logical", Cluster.DiscoveryType.LOGICAL_DNS,
        ClusterCompilerTest.lbEndpoint("logical.test", 9000, 0)));
    c.initialized().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(addresses(c.hosts())).containsExactly("127.0.0.2:9000");
    Host logical = c.chooseHost();
    assertThat(logical.hostname()).isEqualTo("logical.test");

    dns.answer("logical.test", 30, "127.0.0.4", "127.0.0.5");
    int asked = dns.questions("logical.test");
    assertThat(dns.awaitQuestions("logical.test", asked + 2, WAIT)).isTrue();
    assertThat(c.hosts().hosts()).containsExactly(logical);
    assertThat(logical.addressString()).isEqualTo("127.0.0.4:9000");

    dns.answer("logical.test", 30);
    asked = dns.questions("logical.test");
    assertThat(dns.awaitQuestions("logical.test", asked + 2, WAIT)).isTrue();
    assertThat(c.hosts().hosts()).containsExactly(logical);
    assertThat(logical.addressString()).isEqualTo("127.0.0.4:9000");
    assertThat(stats.cluster("logical").updateFailure.value()).isPositive();

    assertThat(changes).hasSize(1); // only the first host set; moves are not membership changes
    assertThat(stats.cluster("logical").membershipChange.value()).isEqualTo(1);
  }

  @Test
  void respectDnsTtlRefreshesAtTheTtlInsteadOfTheRefreshRate() throws Exception {
    dns.answer("ttl.test", 1, "127.0.0.2");
    dns.answer("nottl.test", 1, "127.0.0.3");
    startCluster(dnsCluster("ttl", Cluster.DiscoveryType.STRICT_DNS, ClusterCompilerTest.lbEndpoint("ttl.test", 80, 0))
        .setDnsRefreshRate(Durations.fromSeconds(60)).setRespectDnsTtl(true));
    startCluster(dnsCluster("nottl", Cluster.DiscoveryType.STRICT_DNS,
        ClusterCompilerTest.lbEndpoint("nottl.test", 80, 0)).setDnsRefreshRate(Durations.fromSeconds(60)));
    assertThat(dns.awaitQuestions("ttl.test", 1, WAIT)).isTrue();
    long first = System.nanoTime();
    assertThat(dns.awaitQuestions("ttl.test", 2, Duration.ofSeconds(3))).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - first)).isGreaterThan(Duration.ofMillis(800));
    assertThat(dns.questions("nottl.test")).isEqualTo(1);
  }

  @Test
  void closeStopsResolution() throws Exception {
    dns.answer("closing.test", 30, "127.0.0.2");
    io.netty.channel.EventLoop loop = group.next();
    ConfigPath at = ConfigPath.root("clusters[0]");
    UpstreamCluster c = UpstreamCluster.compile(dnsCluster("closing", Cluster.DiscoveryType.STRICT_DNS,
        ClusterCompilerTest.lbEndpoint("closing.test", 80, 0)).build(), at,
        DnsResolverFactory.nameServer(dns.address()), stats);
    c.start(loop);
    assertThat(dns.awaitQuestions("closing.test", 2, WAIT)).isTrue();
    c.close();
    loop.submit(() -> { }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the close ran on the loop
    int asked = dns.questions("closing.test");
    assertThat(dns.awaitQuestions("closing.test", asked + 2, Duration.ofMillis(400))).isFalse();
    assertThat(addresses(c.hosts())).containsExactly("127.0.0.2:80");
  }

  @Test
  void aRemovedListenerHearsNothing() throws Exception {
    dns.answer("quiet.test", 30, "127.0.0.2");
    List<HostSet> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    HostSetListener extra = (current, added, removed) -> heard.add(current);
    ConfigPath at = ConfigPath.root("clusters[0]");
    UpstreamCluster c = UpstreamCluster.compile(dnsCluster("quiet", Cluster.DiscoveryType.STRICT_DNS,
        ClusterCompilerTest.lbEndpoint("quiet.test", 80, 0)).build(), at,
        DnsResolverFactory.nameServer(dns.address()), stats);
    clusters.add(c);
    c.addHostSetListener(extra);
    c.addHostSetListener((current, added, removed) -> changes.add(new Change(addresses(current), added, removed)));
    assertThat(c.removeHostSetListener(extra)).isTrue();
    c.start(group.next());
    awaitChangeTo(List.of("127.0.0.2:80"));
    assertThat(heard).isEmpty();
  }
}
