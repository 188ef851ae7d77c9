package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  void makesDistinctVersion4Uuids() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = RequestIds.next();
      UUID u = UUID.fromString(id);
      assertThat(u.version()).isEqualTo(4);
      assertThat(u.variant()).isEqualTo(2);
      assertThat(u.toString()).isEqualTo(id);
      seen.add(id);
    }
    assertThat(seen).hasSize(1000);
  }
}
