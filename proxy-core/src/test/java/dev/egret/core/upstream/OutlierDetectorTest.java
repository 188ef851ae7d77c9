package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stats.ClusterStats;
import dev.egret.core.stats.Stats;
import dev.egret.core.upstream.OutlierDetector.LocalOriginResult;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.type.v3.Percent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Outlier detection on a STATIC cluster, driven by reported results and an injected clock. */
class OutlierDetectorTest {
  private static final DnsResolverFactory NO_DNS = loop -> {
    throw new AssertionError("no DNS expected");
  };
  private final Stats stats = new Stats();
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private UpstreamCluster cluster(int hosts, OutlierDetection.Builder od) {
    return cluster(hosts, od, null);
  }

  private UpstreamCluster cluster(int hosts, OutlierDetection.Builder od, Double panicThreshold) {
    Cluster.Builder c = ClusterCompilerTest.cluster("od", Cluster.DiscoveryType.STATIC);
    for (int i = 0; i < hosts; i++) {
      c.getLoadAssignmentBuilder().getEndpointsBuilder(0)
          .addLbEndpoints(ClusterCompilerTest.lbEndpoint("127.0.0." + (i + 1), 8000, 0));
    }
    c.setOutlierDetection(od);
    if (panicThreshold != null) {
      c.getCommonLbConfigBuilder().setHealthyPanicThreshold(Percent.newBuilder().setValue(panicThreshold));
    }
    ConfigPath at = ConfigPath.root("clusters[0]");
    ClusterConfig config = ClusterCompiler.compile(c.build(), at);
    assertThat(at.errors()).isEmpty();
    return UpstreamCluster.create(config, NO_DNS, stats, new java.util.Random(1), clock::get);
  }

  private static OutlierDetection.Builder od() {
    return OutlierDetection.newBuilder();
  }

  private ClusterStats s() {
    return stats.cluster("od");
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  private static void statuses(UpstreamCluster c, Host h, int status, int times) {
    for (int i = 0; i < times; i++) {
      c.outlier().reportHttpStatus(h, status);
    }
  }

  private static Set<Host> picks(UpstreamCluster c, int n) {
    Set<Host> out = new HashSet<>();
    for (int i = 0; i < n; i++) {
      out.add(c.chooseHost());
    }
    return out;
  }

  @Test
  void consecutive5xxEjectsAtTheThresholdAndASuccessStartsTheCountOver() {
    UpstreamCluster c = cluster(4, od().setMaxEjectionPercent(UInt32Value.of(50)));
    Host bad = c.hosts().get(0);
    statuses(c, bad, 500, 4);
    c.outlier().reportHttpStatus(bad, 404); // not a 5xx: the count starts over
    statuses(c, bad, 503, 4);
    assertThat(bad.failedOutlierCheck()).isFalse();
    assertThat(s().outlierEjectionsDetectedConsecutive5xx.value()).isZero();

    c.outlier().reportHttpStatus(bad, 500);

    assertThat(bad.failedOutlierCheck()).isTrue();
    assertThat(s().outlierEjectionsDetectedConsecutive5xx.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsEnforcedConsecutive5xx.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsEnforcedTotal.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsActive.value()).isEqualTo(1);
    assertThat(picks(c, 100)).hasSize(3).doesNotContain(bad);
  }

  @Test
  void gatewayFailuresAreDetectedButByDefaultNotEnforced() {
    UpstreamCluster c = cluster(2, od().setConsecutive5Xx(UInt32Value.of(100))
        .setMaxEjectionPercent(UInt32Value.of(50)));
    Host h = c.hosts().get(0);
    statuses(c, h, 502, 4);
    c.outlier().reportHttpStatus(h, 500); // a 5xx that is not a gateway error ends the gateway run
    statuses(c, h, 504, 4);
    assertThat(s().outlierEjectionsDetectedConsecutiveGatewayFailure.value()).isZero();
    c.outlier().reportHttpStatus(h, 503);

    assertThat(s().outlierEjectionsDetectedConsecutiveGatewayFailure.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsEnforcedConsecutiveGatewayFailure.value()).isZero();
    assertThat(h.failedOutlierCheck()).isFalse();
  }

  @Test
  void enforcedGatewayFailuresEject() {
    UpstreamCluster c = cluster(2, od().setConsecutiveGatewayFailure(UInt32Value.of(3))
        .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100)).setMaxEjectionPercent(UInt32Value.of(50)));
    Host h = c.hosts().get(1);
    statuses(c, h, 503, 3);
    assertThat(h.failedOutlierCheck()).isTrue();
    assertThat(s().outlierEjectionsEnforcedConsecutiveGatewayFailure.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsEnforcedConsecutive5xx.value()).isZero();
  }

  @Test
  void withoutSplitConnectFailuresAndTimeoutsCountAsGatewayErrors() {
    UpstreamCluster c = cluster(2, od().setConsecutive5Xx(UInt32Value.of(3)).setMaxEjectionPercent(UInt32Value.of(50)));
    Host h = c.hosts().get(0);
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_FAILED);
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_SUCCESS); // says nothing without the split
    c.outlier().reportLocalOrigin(h, LocalOriginResult.TIMEOUT);
    assertThat(h.failedOutlierCheck()).isFalse();
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_FAILED);
    assertThat(h.failedOutlierCheck()).isTrue();
    assertThat(s().outlierEjectionsEnforcedConsecutive5xx.value()).isEqualTo(1);
  }

  @Test
  void withSplitLocalOriginFailuresAreCountedApartFromResponses() {
    UpstreamCluster c = cluster(2, od().setSplitExternalLocalOriginErrors(true)
        .setConsecutiveLocalOriginFailure(UInt32Value.of(3)).setMaxEjectionPercent(UInt32Value.of(50)));
    Host h = c.hosts().get(0);
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_FAILED);
    c.outlier().reportLocalOrigin(h, LocalOriginResult.TIMEOUT);
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_SUCCESS); // starts the local count over
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_FAILED);
    statuses(c, h, 200, 3); // responses do not touch the local-origin count
    c.outlier().reportLocalOrigin(h, LocalOriginResult.CONNECT_FAILED);
    assertThat(h.failedOutlierCheck()).isFalse();
    assertThat(s().outlierEjectionsDetectedConsecutive5xx.value()).isZero();

    c.outlier().reportLocalOrigin(h, LocalOriginResult.TIMEOUT);

    assertThat(h.failedOutlierCheck()).isTrue();
    assertThat(s().outlierEjectionsDetectedConsecutiveLocalOriginFailure.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsEnforcedConsecutiveLocalOriginFailure.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsEnforcedConsecutive5xx.value()).isZero();
  }

  @Test
  void maxEjectionPercentCapsEjectionsAndCountsOverflow() {
    UpstreamCluster c = cluster(4, od().setMaxEjectionPercent(UInt32Value.of(25)));
    statuses(c, c.hosts().get(0), 500, 5);
    statuses(c, c.hosts().get(1), 500, 5); // 2 of 4 = 50 % > 25 %
    assertThat(c.hosts().get(0).failedOutlierCheck()).isTrue();
    assertThat(c.hosts().get(1).failedOutlierCheck()).isFalse();
    assertThat(s().outlierEjectionsOverflow.value()).isEqualTo(1);
    assertThat(s().outlierEjectionsDetectedConsecutive5xx.value()).isEqualTo(2);
    assertThat(s().outlierEjectionsActive.value()).isEqualTo(1);
  }

  @Test
  void theDefaultTenPercentEjectsNoneOfTwoHostsUnlessAlwaysEjectOneHost() {
    UpstreamCluster strict = cluster(2, od());
    statuses(strict, strict.hosts().get(0), 500, 5);
    assertThat(strict.hosts().get(0).failedOutlierCheck()).isFalse();
    assertThat(s().outlierEjectionsOverflow.value()).isEqualTo(1);

    UpstreamCluster lenient = cluster(2, od().setAlwaysEjectOneHost(BoolValue.of(true)));
    statuses(lenient, lenient.hosts().get(0), 500, 5);
    statuses(lenient, lenient.hosts().get(1), 500, 5);
    assertThat(lenient.hosts().get(0).failedOutlierCheck()).isTrue();
    assertThat(lenient.hosts().get(1).failedOutlierCheck()).isFalse(); // only the first goes past the cap
  }

  @Test
  void ejectionTimeGrowsWithEachEjectionUpToTheMaximumAndHostsComeBack() {
    UpstreamCluster c = cluster(2, od().setMaxEjectionPercent(UInt32Value.of(50))
        .setInterval(Durations.fromSeconds(10)).setBaseEjectionTime(Durations.fromSeconds(30))
        .setMaxEjectionTime(Durations.fromSeconds(60)));
    Host h = c.hosts().get(0);

    statuses(c, h, 500, 5); // first ejection: 30 s
    advance(Duration.ofSeconds(29));
    c.outlier().onInterval();
    assertThat(h.failedOutlierCheck()).isTrue();
    advance(Duration.ofSeconds(1));
    c.outlier().onInterval();
    assertThat(h.failedOutlierCheck()).isFalse();
    assertThat(s().outlierEjectionsActive.value()).isZero();
    assertThat(picks(c, 20)).contains(h);

    statuses(c, h, 500, 5); // ejected again at once: 60 s
    advance(Duration.ofSeconds(59));
    c.outlier().onInterval();
    assertThat(h.failedOutlierCheck()).isTrue();
    advance(Duration.ofSeconds(1));
    c.outlier().onInterval();
    assertThat(h.failedOutlierCheck()).isFalse();

    statuses(c, h, 500, 5); // third time: 90 s, capped at max_ejection_time 60 s
    advance(Duration.ofSeconds(60));
    c.outlier().onInterval();
    assertThat(h.failedOutlierCheck()).isFalse();
    assertThat(c.outlier().ejections(h)).isEqualTo(3);
    assertThat(s().outlierEjectionsEnforcedConsecutive5xx.value()).isEqualTo(3);
  }

  @Test
  void backOffShrinksWhileTheHostStaysHealthy() {
    UpstreamCluster c = cluster(2, od().setMaxEjectionPercent(UInt32Value.of(50))
        .setInterval(Durations.fromSeconds(10)).setBaseEjectionTime(Durations.fromSeconds(30)));
    Host h = c.hosts().get(0);
    statuses(c, h, 500, 5);
    advance(Duration.ofSeconds(30));
    c.outlier().onInterval(); // back in service, back-off 1
    advance(Duration.ofSeconds(10));
    c.outlier().onInterval(); // an interval healthy: back-off 0

    statuses(c, h, 500, 5); // so this ejection lasts 30 s again, not 60 s
    advance(Duration.ofSeconds(30));
    c.outlier().onInterval();
    assertThat(h.failedOutlierCheck()).isFalse();
  }

  @Test
  void unejectionStartsTheCountsOver() {
    UpstreamCluster c = cluster(2, od().setMaxEjectionPercent(UInt32Value.of(50)));
    Host h = c.hosts().get(0);
    statuses(c, h, 500, 5);
    statuses(c, h, 500, 3); // counted while ejected
    advance(Duration.ofSeconds(30));
    c.outlier().onInterval();
    statuses(c, h, 500, 4);
    assertThat(h.failedOutlierCheck()).isFalse();
    c.outlier().reportHttpStatus(h, 500);
    assertThat(h.failedOutlierCheck()).isTrue();
  }

  @Test
  void tooFewHealthyHostsPutsTheBalancerInPanicOverAllHosts() {
    UpstreamCluster c = cluster(3, od().setMaxEjectionPercent(UInt32Value.of(100)));
    statuses(c, c.hosts().get(0), 500, 5);
    assertThat(picks(c, 60)).hasSize(2); // 2 of 3 healthy: 67 % is not below 50 %
    assertThat(s().lbHealthyPanic.value()).isZero();

    statuses(c, c.hosts().get(1), 500, 5); // 1 of 3 healthy: 33 % < 50 %, panic
    assertThat(picks(c, 60)).hasSize(3);
    assertThat(s().lbHealthyPanic.value()).isEqualTo(60);
  }

  @Test
  void panicThresholdZeroLeavesNoHostWhenAllAreEjected() {
    UpstreamCluster c = cluster(2, od().setMaxEjectionPercent(UInt32Value.of(100)), 0.0);
    statuses(c, c.hosts().get(0), 500, 5);
    assertThat(picks(c, 10)).containsExactly(c.hosts().get(1));
    statuses(c, c.hosts().get(1), 500, 5);
    assertThat(c.chooseHost()).isNull();
  }

  @Test
  void aRemovedEjectedHostNoLongerCountsAsEjected() {
    UpstreamCluster c = cluster(2, od().setMaxEjectionPercent(UInt32Value.of(50)));
    Host h = c.hosts().get(0);
    statuses(c, h, 500, 5);
    c.publish(List.of(c.hosts().get(1)));
    assertThat(s().outlierEjectionsActive.value()).isZero();
    assertThat(c.outlier().ejectedCount()).isZero();
    assertThat(c.chooseHost()).isSameAs(c.hosts().get(0));
  }

  @Test
  void aClusterWithoutOutlierDetectionIgnoresReports() {
    Cluster.Builder b = ClusterCompilerTest.cluster("plain", Cluster.DiscoveryType.STATIC,
        ClusterCompilerTest.lbEndpoint("127.0.0.1", 8000, 0));
    ConfigPath at = ConfigPath.root("clusters[0]");
    UpstreamCluster c = UpstreamCluster.create(ClusterCompiler.compile(b.build(), at), NO_DNS, stats, null);
    statuses(c, c.hosts().get(0), 500, 50);
    assertThat(c.outlier().enabled()).isFalse();
    assertThat(c.hosts().get(0).failedOutlierCheck()).isFalse();
  }
}
