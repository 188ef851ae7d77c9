package dev.egret.filters.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

class FaultConfigTest {
  @Test
  void emptyConfigInjectsNothing() {
    FaultConfig c = FaultFilterProvider.compile(HTTPFault.getDefaultInstance(), ConfigPath.root("t"));
    assertThat(c).isEqualTo(FaultConfig.NONE);
    assertThat(c.hasAbort() || c.hasDelay()).isFalse();
  }

  @Test
  void percentagesScaleToMillionthsAndStatusIsChecked() {
    ConfigPath at = ConfigPath.root("t");
    HTTPFault p = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(503)
        .setPercentage(FractionalPercent.newBuilder().setNumerator(25)
            .setDenominator(FractionalPercent.DenominatorType.TEN_THOUSAND))).build();
    FaultConfig c = FaultFilterProvider.compile(p, at);
    assertThat(c.abortPerMillion()).isEqualTo(2500);
    assertThat(c.abortStatus()).isEqualTo(503);
    ConfigPath bad = ConfigPath.root("t");
    FaultFilterProvider.compile(p.toBuilder().setAbort(p.getAbort().toBuilder().setHttpStatus(99)).build(), bad);
    assertThat(bad.errorCount()).isEqualTo(1);
  }

  @Test
  void headerMatchesPresenceValueAndInversion() {
    ConfigPath at = ConfigPath.root("t");
    FaultHeaderMatch present = FaultHeaderMatch.compile(HeaderMatcher.newBuilder().setName("X-A")
        .setPresentMatch(true).build(), at);
    FaultHeaderMatch notB = FaultHeaderMatch.compile(HeaderMatcher.newBuilder().setName("x-b")
        .setPrefixMatch("b").setInvertMatch(true).build(), at);
    DefaultHttpHeaders h = new DefaultHttpHeaders();
    assertThat(present.matches(h)).isFalse();
    assertThat(notB.matches(h)).as("missing header fails a value rule even inverted").isFalse();
    h.set("x-a", "1").set("x-b", "bee");
    assertThat(present.matches(h)).isTrue();
    assertThat(notB.matches(h)).isFalse();
    h.set("x-b", "see");
    assertThat(notB.matches(h)).isTrue();
    assertThat(at.errorCount()).isZero();
  }
}
