package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
  private static Host host(int lastOctet, int weight) {
    return new Host(new InetSocketAddress("127.0.0." + lastOctet, 8080), null, weight);
  }

  private static Map<Host, Integer> count(LoadBalancer lb, HostSet set, int picks) {
    Map<Host, Integer> counts = new IdentityHashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(lb.choose(set), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void everyPolicyReturnsNullForAnEmptyHostSetAndTheOnlyHostOtherwise() {
    Host only = host(1, 5);
    for (LbPolicy p : LbPolicy.values()) {
      LoadBalancer lb = LoadBalancer.create(p, 2, new Random(1));
      assertThat(lb.choose(HostSet.EMPTY)).as(p.name()).isNull();
      assertThat(lb.choose(HostSet.of(List.of(only)))).as(p.name()).isSameAs(only);
    }
  }

  @Test
  void roundRobinWithEqualWeightsCyclesInOrder() {
    Host a = host(1, 1);
    Host b = host(2, 1);
    Host c = host(3, 1);
    HostSet set = HostSet.of(List.of(a, b, c));
    LoadBalancer lb = LoadBalancer.create(LbPolicy.ROUND_ROBIN, 2, null);
    List<Host> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(lb.choose(set));
    }
    assertThat(picks).containsExactly(a, b, c, a, b, c);
  }

  @Test
  void weightedRoundRobinIsExactOverWholeCycles() {
    Host a = host(1, 1);
    Host b = host(2, 2);
    Host c = host(3, 3);
    HostSet set = HostSet.of(List.of(a, b, c));
    Map<Host, Integer> counts = count(LoadBalancer.create(LbPolicy.ROUND_ROBIN, 2, null), set, 600);
    assertThat(counts).containsEntry(a, 100).containsEntry(b, 200).containsEntry(c, 300);
  }

  @Test
  void weightedRoundRobinSpreadsPicksWithinACycle() {
    Host a = host(1, 2);
    Host b = host(2, 2);
    Host c = host(3, 4);
    HostSet set = HostSet.of(List.of(a, b, c));
    LoadBalancer lb = LoadBalancer.create(LbPolicy.ROUND_ROBIN, 2, null);
    List<Host> cycle = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // weights reduce to 1:1:2, a cycle of 4
      cycle.add(lb.choose(set));
    }
    assertThat(cycle).containsExactly(c, a, b, c);
  }

  @Test
  void weightedRoundRobinBeyondTheScheduleLimitIsStillExact() {
    Host a = host(1, 7);
    Host b = host(2, 13);
    HostSet set = HostSet.of(List.of(a, b));
    LoadBalancer lb = new RoundRobinBalancer(8); // a cycle of 20 is too long: stepped under a lock
    Map<Host, Integer> counts = count(lb, set, 200);
    assertThat(counts).containsEntry(a, 70).containsEntry(b, 130);
  }

  @Test
  void roundRobinFollowsANewSnapshot() {
    Host a = host(1, 1);
    Host b = host(2, 3);
    Host c = host(3, 1);
    LoadBalancer lb = LoadBalancer.create(LbPolicy.ROUND_ROBIN, 2, null);
    count(lb, HostSet.of(List.of(a, b)), 3);
    Map<Host, Integer> counts = count(lb, HostSet.of(List.of(b, c)), 400);
    assertThat(counts).containsOnlyKeys(b, c).containsEntry(b, 300).containsEntry(c, 100);
  }

  @Test
  void leastRequestPrefersTheLessLoadedHost() {
    Host busy = host(1, 1);
    Host idle = host(2, 1);
    for (int i = 0; i < 5; i++) {
      busy.requestStarted();
    }
    HostSet set = HostSet.of(List.of(busy, idle));
    Map<Host, Integer> counts = count(LoadBalancer.create(LbPolicy.LEAST_REQUEST, 2, new Random(42)), set, 4000);
    // Two draws with replacement: the busy host wins only when drawn twice (1 in 4).
    assertThat(counts.get(idle)).isBetween(2800, 3200);
    assertThat(counts.get(busy)).isBetween(800, 1200);
  }

  @Test
  void leastRequestWithMoreChoicesAlmostNeverPicksTheBusyHost() {
    Host busy = host(1, 1);
    Host idle = host(2, 1);
    busy.requestStarted();
    HostSet set = HostSet.of(List.of(busy, idle));
    Map<Host, Integer> counts = count(LoadBalancer.create(LbPolicy.LEAST_REQUEST, 10, new Random(7)), set, 2000);
    assertThat(counts.getOrDefault(busy, 0)).isLessThan(10);
    busy.requestFinished();
    assertThat(busy.activeRequests()).isZero();
  }

  @Test
  void leastRequestWithWeightsComparesWeightPerActiveRequest() {
    Host heavy = host(1, 4);
    Host light = host(2, 1);
    for (int i = 0; i < 2; i++) {
      heavy.requestStarted(); // 4/(2+1) > 1/(0+1): heavy still preferred
    }
    HostSet set = HostSet.of(List.of(heavy, light));
    Map<Host, Integer> counts = count(LoadBalancer.create(LbPolicy.LEAST_REQUEST, 10, new Random(3)), set, 1000);
    assertThat(counts.getOrDefault(light, 0)).isLessThan(10);
  }

  @Test
  void randomFollowsWeights() {
    Host a = host(1, 1);
    Host b = host(2, 3);
    HostSet set = HostSet.of(List.of(a, b));
    Map<Host, Integer> counts = count(LoadBalancer.create(LbPolicy.RANDOM, 2, new Random(11)), set, 20000);
    assertThat(counts.get(a)).isBetween(4500, 5500);
    assertThat(counts.get(b)).isBetween(14500, 15500);
  }

  @Test
  void randomWithASeededSourceIsReproducible() {
    HostSet set = HostSet.of(List.of(host(1, 1), host(2, 2), host(3, 5)));
    LoadBalancer x = LoadBalancer.create(LbPolicy.RANDOM, 2, new Random(99));
    LoadBalancer y = LoadBalancer.create(LbPolicy.RANDOM, 2, new Random(99));
    for (int i = 0; i < 100; i++) {
      assertThat(x.choose(set)).isSameAs(y.choose(set));
    }
  }

  @Test
  void hostPrintsIpAndPortWithBracketsForIpv6() {
    assertThat(new Host(new InetSocketAddress("127.0.0.1", 80), null, 1).addressString()).isEqualTo("127.0.0.1:80");
    assertThat(Host.of(new InetSocketAddress("::1", 443)).toString()).isEqualTo("[::1]:443");
  }
}
