package dev.egret.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.type.v3.Percent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Compiling {@code outlier_detection} and {@code healthy_panic_threshold}. */
class OutlierDetectionConfigTest {
  private static ClusterConfig compile(Cluster.Builder c) {
    ConfigPath at = ConfigPath.root("clusters[0]");
    ClusterConfig config = ClusterCompiler.compile(c.build(), at);
    assertThat(at.errors()).isEmpty();
    return config;
  }

  private static List<String> errors(Cluster.Builder c) {
    ConfigPath at = ConfigPath.root("clusters[0]");
    assertThat(ClusterCompiler.compile(c.build(), at)).isNull();
    return at.errors().stream().map(ConfigError::toString).toList();
  }

  private static Cluster.Builder cluster() {
    return ClusterCompilerTest.cluster("od", Cluster.DiscoveryType.STATIC,
        ClusterCompilerTest.lbEndpoint("127.0.0.1", 8000, 0));
  }

  @Test
  void anEmptyOutlierDetectionHasEnvoysDefaults() {
    ClusterConfig c = compile(cluster().setOutlierDetection(OutlierDetection.getDefaultInstance()));
    assertThat(c.outlierDetection()).isEqualTo(dev.egret.core.upstream.OutlierDetection.defaults());
    dev.egret.core.upstream.OutlierDetection d = c.outlierDetection();
    assertThat(d.consecutive5xx()).isEqualTo(5);
    assertThat(d.enforcingConsecutive5xx()).isEqualTo(100);
    assertThat(d.enforcingConsecutiveGatewayFailure()).isZero();
    assertThat(d.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
    assertThat(d.maxEjectionPercent()).isEqualTo(10);
    assertThat(c.healthyPanicThreshold()).isEqualTo(50.0);
  }

  @Test
  void noOutlierDetectionCompilesToNull() {
    assertThat(compile(cluster()).outlierDetection()).isNull();
  }

  @Test
  void istiosOutlierDetectionIsAccepted() {
    ClusterConfig c = compile(cluster()
        .setOutlierDetection(OutlierDetection.newBuilder()
            .setEnforcingSuccessRate(UInt32Value.of(0))
            .setConsecutive5Xx(UInt32Value.of(7)).setEnforcingConsecutive5Xx(UInt32Value.of(100))
            .setConsecutiveGatewayFailure(UInt32Value.of(0)).setEnforcingConsecutiveGatewayFailure(UInt32Value.of(0))
            .setInterval(Durations.fromSeconds(5)).setBaseEjectionTime(Durations.fromSeconds(400))
            .setMaxEjectionPercent(UInt32Value.of(100)))
        .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setHealthyPanicThreshold(Percent.newBuilder().setValue(0))));
    assertThat(c.outlierDetection().consecutive5xx()).isEqualTo(7);
    assertThat(c.outlierDetection().maxEjectionTime()).isEqualTo(Duration.ofSeconds(400)); // never below base
    assertThat(c.healthyPanicThreshold()).isZero();
  }

  @Test
  void successRateAndFailurePercentageDetectionAreRejectedByPath() {
    List<String> e = errors(cluster().setOutlierDetection(OutlierDetection.newBuilder()
        .setEnforcingSuccessRate(UInt32Value.of(100))
        .setFailurePercentageThreshold(UInt32Value.of(80))
        .setEnforcingFailurePercentage(UInt32Value.of(50))));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].outlier_detection.enforcing_success_rate"));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].outlier_detection.failure_percentage_threshold"));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].outlier_detection.enforcing_failure_percentage"));
  }

  @Test
  void maxEjectionTimeBelowBaseIsAnError() {
    List<String> e = errors(cluster().setOutlierDetection(OutlierDetection.newBuilder()
        .setBaseEjectionTime(Durations.fromSeconds(60)).setMaxEjectionTime(Durations.fromSeconds(30))));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].outlier_detection.max_ejection_time"));
  }

  @Test
  void outOfRangePercentagesAreErrors() {
    List<String> e = errors(cluster()
        .setOutlierDetection(OutlierDetection.newBuilder().setMaxEjectionPercent(UInt32Value.of(101)))
        .setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setHealthyPanicThreshold(Percent.newBuilder().setValue(120))));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].outlier_detection.max_ejection_percent"));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].common_lb_config.healthy_panic_threshold"));
  }

  @Test
  void otherCommonLbConfigFieldsAreStillRejected() {
    List<String> e = errors(cluster().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
        .setIgnoreNewHostsUntilFirstHc(true)));
    assertThat(e).anyMatch(s -> s.contains("clusters[0].common_lb_config.ignore_new_hosts_until_first_hc"));
  }
}
