package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.stream.StreamInfo;
import org.junit.jupiter.api.Test;

/** {@code %START_TIME%} default and strftime patterns, always UTC. */
class StartTimeTest {
  private final StreamInfo info = Infos.at("2025-06-30T02:48:20.634Z", -1);

  private String fmt(String format) {
    return Infos.text(format).format(info);
  }

  @Test
  void defaultIsIsoUtcWithMillis() {
    assertThat(fmt("%START_TIME%")).isEqualTo("2025-06-30T02:48:20.634Z");
    assertThat(fmt("%START_TIME()%")).isEqualTo("2025-06-30T02:48:20.634Z");
  }

  @Test
  void epochSecondsAndFractionDigits() {
    assertThat(fmt("%START_TIME(%s)%")).isEqualTo("1751251700");
    assertThat(fmt("%START_TIME(%s.%3f)%")).isEqualTo("1751251700.634");
    assertThat(fmt("%START_TIME(%1f|%2f|%6f|%9f|%f)%"))
        .isEqualTo("6|63|634000|634000000|634000000");
  }

  @Test
  void strftimeFields() {
    assertThat(fmt("%START_TIME(%Y/%m/%dT%H:%M:%S%z)%")).isEqualTo("2025/06/30T02:48:20+0000");
    assertThat(fmt("%START_TIME(%a %A %b %B %e %j %y %I %p %u %w %Z)%"))
        .isEqualTo("Mon Monday Jun June 30 181 25 02 AM 1 1 UTC");
    assertThat(fmt("%START_TIME(%F %T %D %R %Ez %%)%"))
        .isEqualTo("2025-06-30 02:48:20 06/30/25 02:48 +00:00 %");
    assertThat(fmt("%START_TIME(%E3S|%E*S)%")).isEqualTo("20.634|20.634000000");
  }

  @Test
  void singleDigitDayIsSpacePaddedWithE() {
    StreamInfo jan = Infos.at("2024-01-05T13:07:09.005Z", -1);
    assertThat(Infos.text("%START_TIME(%e|%d|%k|%l|%I %p|%3f)%").format(jan))
        .isEqualTo(" 5|05|13| 1|01 PM|005");
  }
}
