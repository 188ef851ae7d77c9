package dev.egret.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the documentation honest: every fenced {@code yaml} block in {@code docs/*.md} whose first line
 * is the comment {@code # egret-bootstrap} must be a complete bootstrap that Egret compiles today. A
 * block that stops compiling (a field renamed, a feature the page promises that the compiler refuses)
 * fails with the file and the line of its opening fence.
 */
class DocsConfigTest {
  static final String MARKER = "# egret-bootstrap";
  /** Tests run in the proxy-core module directory; the docs live at the repository root. */
  static final Path DOCS = Path.of("..", "docs");

  /** One tagged block: where its fence opens (1-based line) and its text without the fences. */
  record Block(Path file, int fenceLine, String yaml) {
    String where() {
      return "docs/" + file.getFileName() + " line " + fenceLine;
    }
  }

  @TestFactory
  Stream<DynamicTest> everyTaggedBootstrapInTheDocsCompiles() throws IOException {
    List<Block> blocks = new ArrayList<>();
    for (Path md : markdownFiles()) {
      blocks.addAll(taggedBlocks(md, Files.readAllLines(md, StandardCharsets.UTF_8)));
    }
    return blocks.stream().map(b -> DynamicTest.dynamicTest(b.where(), () -> compiles(b)));
  }

  @Test
  void resiliencePageCarriesCompilableBootstraps() throws IOException {
    Path page = DOCS.resolve("resilience.md");
    assertThat(page).as("docs/resilience.md, seen from %s", Path.of("").toAbsolutePath()).isRegularFile();
    List<Block> blocks = taggedBlocks(page, Files.readAllLines(page, StandardCharsets.UTF_8));
    assertThat(blocks).as("tagged bootstrap blocks in docs/resilience.md").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void scannerFindsOnlyTaggedYamlBlocksAndReportsTheirFenceLine() {
    List<String> lines = List.of(
        "# Title",                 // 1
        "```yaml",                 // 2: untagged, skipped
        "a: 1",                    // 3
        "```",                     // 4
        "```json",                 // 5: not yaml, skipped
        MARKER,                    // 6
        "```",                     // 7
        "  ```yaml",               // 8: tagged (indented fence, as inside a list item)
        "  " + MARKER,             // 9
        "  admin: {}",             // 10
        "  ```");                  // 11
    List<Block> blocks = taggedBlocks(Path.of("x.md"), lines);
    assertThat(blocks).hasSize(1);
    assertThat(blocks.get(0).fenceLine()).isEqualTo(8);
    assertThat(blocks.get(0).yaml()).isEqualTo(MARKER + "\nadmin: {}\n");
  }

  @Test
  void aBlockThatDoesNotCompileFailsWithItsLine() {
    Block bad = new Block(Path.of("x.md"), 42, MARKER + "\nstatic_resources: { clusters: [ { name: c, no_such_field: 1 } ] }\n");
    try {
      compiles(bad);
    } catch (AssertionError e) {
      assertThat(e).hasMessageContaining("docs/x.md line 42").hasMessageContaining("no_such_field");
      return;
    }
    fail("an unknown field compiled");
  }

  private static List<Path> markdownFiles() throws IOException {
    assertThat(DOCS).as("docs folder, seen from %s", Path.of("").toAbsolutePath()).isDirectory();
    try (Stream<Path> s = Files.list(DOCS)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList();
    }
  }

  /** Fenced {@code yaml} blocks whose first line is the marker; the fence's indentation is removed. */
  static List<Block> taggedBlocks(Path file, List<String> lines) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.strip();
      if (!trimmed.startsWith("```")) {
        continue;
      }
      int indent = line.indexOf('`');
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).strip().startsWith("```")) {
        end++;
      }
      if (end == lines.size()) {
        fail("docs/" + file.getFileName() + " line " + (i + 1) + ": code fence is never closed");
      }
      boolean yaml = trimmed.substring(3).strip().equals("yaml");
      if (yaml && end > i + 1 && lines.get(i + 1).strip().equals(MARKER)) {
        StringBuilder text = new StringBuilder();
        for (int k = i + 1; k < end; k++) {
          String l = lines.get(k);
          text.append(l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l.strip())
              .append('\n');
        }
        out.add(new Block(file, i + 1, text.toString()));
      }
      i = end; // the closing fence
    }
    return out;
  }

  private static void compiles(Block b) {
    try {
      Bootstrap bootstrap = BootstrapLoader.parse(b.yaml(), b.where(), Bootstrap.newBuilder()).build();
      EgretServer.Compiled compiled = EgretServer.compileOnly(bootstrap);
      assertThat(compiled.listeners() + compiled.clusters()).as(b.where() + ": an empty bootstrap proves nothing")
          .isPositive();
    } catch (ConfigException e) {
      throw new AssertionError(b.where() + " (YAML line 1 is the line after the fence) does not compile:\n"
          + e.getMessage(), e);
    }
  }
}
