package dev.egret.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusterChoiceTest {
  @Test
  void picksInProportionToWeightsWithAFixedSeed() {
    ClusterChoice c = new ClusterChoice(List.of("a", "b", "c"), List.of(6, 3, 1));
    Random random = new Random(42);
    int[] counts = new int[3];
    for (int i = 0; i < 10_000; i++) {
      counts[List.of("a", "b", "c").indexOf(c.pick(random))]++;
    }
    assertThat(counts[0]).isBetween(5_700, 6_300);
    assertThat(counts[1]).isBetween(2_700, 3_300);
    assertThat(counts[2]).isBetween(800, 1_200);
  }

  @Test
  void singleClusterIsAlwaysChosen() {
    assertThat(ClusterChoice.single("only").pick(new Random(1))).isEqualTo("only");
  }
}
