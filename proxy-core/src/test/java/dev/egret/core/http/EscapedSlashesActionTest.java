package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EscapedSlashesActionTest {
  @Test
  void decodesEscapedSlashesAndBackslashesInThePathOnly() {
    assertThat(EscapedSlashesAction.unescapeSlashes("/a%2Fb%2fc%5Cd%5ce?q=%2F"))
        .isEqualTo("/a/b/c\\d\\e?q=%2F");
  }

  @Test
  void returnsTheSameInstanceWhenNothingIsEscaped() {
    String p = "/a%20b/%2/c%2?x=%2F";
    assertThat(EscapedSlashesAction.unescapeSlashes(p)).isSameAs(p);
  }
}
