package dev.egret.core.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class Re2Test {
  private static boolean full(String re2, String input) {
    return Pattern.compile(Re2.translate(re2)).matcher(input).matches();
  }

  @Test
  void namedGroupsBecomePlainGroupsKeepingNumbers() {
    assertThat(Re2.translate("(?P<user_id>[0-9]+)/(?<x>a)")).isEqualTo("([0-9]+)/(a)");
  }

  @Test
  void posixClassesTranslate() {
    assertThat(full("[[:alpha:]]+", "abcXYZ")).isTrue();
    assertThat(full("[[:digit:]]+", "12a")).isFalse();
    assertThat(full("[[:^space:]]+", "a b")).isFalse();
    assertThat(full("[[:word:]]+", "a_1")).isTrue();
  }

  @Test
  void bracketAndAmpersandInsideClassAreLiterals() {
    assertThat(full("[a[]+", "a[a")).isTrue();
    assertThat(full("[a&&b]+", "a&b")).isTrue();
    assertThat(full("[]a]+", "]a")).isTrue();
  }

  @Test
  void braceThatStartsNoRepetitionIsLiteral() {
    assertThat(full("a{x}", "a{x}")).isTrue();
    assertThat(full("a{2}", "aa")).isTrue();
    assertThat(full("a{2,}", "aaa")).isTrue();
    assertThat(full("a{1,2}b", "aab")).isTrue();
  }

  @Test
  void lazyQuantifiersAndQuotingStayAllowed() {
    assertThat(full("^(.*?)one(.*)$", "xonexone")).isTrue();
    assertThat(full("\\Q(a+)\\E", "(a+)")).isTrue();
    assertThat(full("(?i)abc", "ABC")).isTrue();
    assertThat(full("(?s:.)", "\n")).isTrue();
  }

  @Test
  void verticalTabEscapeMeansOnlyVerticalTab() {
    assertThat(full("\\v", "\u000B")).isTrue();
    assertThat(full("\\v", "\n")).isFalse();
  }

  @Test
  void unsupportedConstructsThrow() {
    for (String re : new String[] {"(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "(?>a)", "(a)\\1", "\\k<x>",
        "(?P=n)", "a*+", "a++", "a?+", "a{2}+", "(?U)a", "(?x)a", "\\G", "\\Z", "\\R"}) {
      assertThatThrownBy(() -> Re2.translate(re)).as(re).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void escapedQuantifierCharactersAreNotPossessive() {
    assertThat(full("a\\++", "a++")).isTrue();
    assertThat(full("[+]+", "++")).isTrue();
  }
}
