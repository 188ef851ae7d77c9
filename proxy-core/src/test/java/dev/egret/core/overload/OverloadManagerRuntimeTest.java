package dev.egret.core.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.stats.Stats;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OverloadManagerRuntimeTest {
  private final AtomicLong heapUsed = new AtomicLong();

  private OverloadManagerRuntime manager(String action, Trigger trigger) {
    OverloadConfig c = new OverloadConfig(1000, 1000, 10, Map.of(), Map.of(action, List.of(trigger)));
    return new OverloadManagerRuntime(c, new Stats(), heapUsed::get);
  }

  @Test
  void thresholdTriggerIsAllOrNothing() {
    Trigger t = Trigger.threshold(OverloadCompiler.FIXED_HEAP, 0.9);
    assertThat(t.value(0.89)).isZero();
    assertThat(t.value(0.9)).isEqualTo(1.0);
    assertThat(t.value(3)).isEqualTo(1.0);
  }

  @Test
  void scaledTriggerGrowsLinearlyBetweenItsThresholds() {
    Trigger t = new Trigger(OverloadCompiler.FIXED_HEAP, 0.5, 0.9);
    assertThat(t.value(0.4)).isZero();
    assertThat(t.value(0.7)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(t.value(0.9)).isEqualTo(1.0);
  }

  @Test
  void stopAcceptingConnectionsPausesAndResumesTheAcceptors() {
    OverloadManagerRuntime om = manager(OverloadManagerRuntime.STOP_ACCEPTING_CONNECTIONS,
        Trigger.threshold(OverloadCompiler.FIXED_HEAP, 0.95));
    EmbeddedChannel acceptor = new EmbeddedChannel();
    om.registerAcceptor(acceptor);
    assertThat(acceptor.config().isAutoRead()).isTrue();

    heapUsed.set(990); // pressure 0.99
    om.refreshNow();
    assertThat(om.pressure()).isEqualTo(0.99);
    assertThat(acceptor.config().isAutoRead()).isFalse();

    heapUsed.set(500);
    om.refreshNow();
    assertThat(acceptor.config().isAutoRead()).isTrue();
    acceptor.finishAndReleaseAll();
  }

  @Test
  void actionFollowsTheHeapBothWays() {
    OverloadManagerRuntime om = manager(OverloadManagerRuntime.STOP_ACCEPTING_REQUESTS,
        new Trigger(OverloadCompiler.FIXED_HEAP, 0.5, 0.9));
    heapUsed.set(700);
    om.refreshNow();
    assertThat(om.value(OverloadManagerRuntime.STOP_ACCEPTING_REQUESTS)).isCloseTo(0.5,
        org.assertj.core.data.Offset.offset(1e-9));
    heapUsed.set(950);
    om.refreshNow();
    assertThat(om.value(OverloadManagerRuntime.STOP_ACCEPTING_REQUESTS)).isEqualTo(1.0);
    heapUsed.set(10);
    om.refreshNow();
    assertThat(om.value(OverloadManagerRuntime.STOP_ACCEPTING_REQUESTS)).isZero();
  }

  @Test
  void admittedConnectionsAreCountedUntilTheyClose() {
    OverloadManagerRuntime om = manager(OverloadManagerRuntime.STOP_ACCEPTING_REQUESTS,
        Trigger.threshold(OverloadCompiler.FIXED_HEAP, 0.95));
    Stats stats = new Stats();
    EmbeddedChannel a = new EmbeddedChannel();
    assertThat(om.admit(a, "l", stats.listener("l"))).isTrue();
    assertThat(om.activeConnections()).isEqualTo(1);
    assertThat(a.attr(OverloadManagerRuntime.KEY).get()).isSameAs(om);
    a.close();
    assertThat(om.activeConnections()).isZero();
  }
}
