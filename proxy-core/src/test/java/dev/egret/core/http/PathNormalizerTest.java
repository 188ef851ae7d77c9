package dev.egret.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathNormalizerTest {
  @Test
  void removesDotSegmentsAndKeepsQuery() {
    assertThat(PathNormalizer.normalize("/get/../post?x=/../y", true, false)).isEqualTo("/post?x=/../y");
    assertThat(PathNormalizer.normalize("/a/./b/.", true, false)).isEqualTo("/a/b/");
    assertThat(PathNormalizer.normalize("/../../etc", true, false)).isEqualTo("/etc");
  }

  @Test
  void decodesEncodedDotsBeforeRemovingSegments() {
    assertThat(PathNormalizer.normalize("/%2e%2e/post", true, false)).isEqualTo("/post");
    assertThat(PathNormalizer.normalize("/a%2Fb", true, false)).isEqualTo("/a%2Fb");
  }

  @Test
  void mergesSlashesOnlyWhenAsked() {
    assertThat(PathNormalizer.normalize("//post//x", false, true)).isEqualTo("/post/x");
    assertThat(PathNormalizer.normalize("//post//x", true, false)).isEqualTo("//post//x");
  }

  @Test
  void refusesEncodedNulAndBadEscapesAndNonOriginForm() {
    assertThat(PathNormalizer.normalize("/a%00b", true, true)).isNull();
    assertThat(PathNormalizer.normalize("/a%00b", false, false)).isNull();
    assertThat(PathNormalizer.normalize("/a%zz", true, false)).isNull();
    assertThat(PathNormalizer.normalize("http://x/a", true, false)).isNull();
  }

  @Test
  void leavesPlainPathsAlone() {
    assertThat(PathNormalizer.normalize("/get", true, true)).isEqualTo("/get");
  }
}
