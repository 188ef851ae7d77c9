package dev.egret.benchmarks;

import dev.egret.core.http.PathNormalizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code PathNormalizer} ({@code normalize_path} + {@code merge_slashes}) on typical and adversarial
 * paths: run on every request before routing when enabled, and the first thing an attacker's path
 * reaches, so its worst case must stay linear and cheap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PathNormalizeBenchmark {
  /** The path kinds; see {@link #path(String)}. */
  @Param({"clean", "query", "dotSegments", "encoded", "adversarialDots", "adversarialSlashes", "adversarialEscapes"})
  public String kind;

  private String path;

  @Setup
  public void setup() {
    path = path(kind);
    if (PathNormalizer.normalize(path, true, true) == null) {
      throw new IllegalStateException("path '" + kind + "' was refused; the benchmark expects it normalised");
    }
  }

  /** The input for a kind: typical ones first, then ~4 KB ones built to make normalisation work hard. */
  static String path(String kind) {
    return switch (kind) {
      case "clean" -> "/api/v1/users/12345/orders";
      case "query" -> "/api/v1/search?q=proxy+benchmarks&page=2&sort=desc";
      case "dotSegments" -> "/static/./css/../js/app.min.js";
      case "encoded" -> "/files/my%20report%2Dfinal%7E2024.pdf";
      case "adversarialDots" -> "/a" + "/b/..".repeat(800) + "/./c";
      case "adversarialSlashes" -> "/" + "/".repeat(2000) + "x" + "//y".repeat(600);
      case "adversarialEscapes" -> "/" + "%41%2f%7E".repeat(450);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** {@code normalize_path: true}, {@code merge_slashes: true}. */
  @Benchmark
  public String normalizeAndMerge() {
    return PathNormalizer.normalize(path, true, true);
  }
}
