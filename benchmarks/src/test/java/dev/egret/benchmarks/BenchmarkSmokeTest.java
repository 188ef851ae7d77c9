package dev.egret.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every JMH benchmark in this JVM for a moment (no fork, one 50 ms warmup and one 50 ms
 * measurement iteration) so that the suite cannot rot: a benchmark whose setup check fails, that
 * throws, or that is no longer found fails the build. The numbers mean nothing and are not looked at
 * beyond being positive.
 */
class BenchmarkSmokeTest {
  /** Every benchmark method, with the parameter values it runs under. */
  private static final List<String> EXPECTED = List.of(
      "AccessLogFormatBenchmark.envoyDefault",
      "AccessLogFormatBenchmark.istioJson",
      "AccessLogFormatBenchmark.istioText",
      "ConfigCompileBenchmark.compile1000Clusters5000Routes",
      "HeaderMapBenchmark.add15",
      "HeaderMapBenchmark.get4",
      "HeaderMapBenchmark.requestId",
      "HeaderMapBenchmark.requestPath",
      "Http1CodecBenchmark.proxyRoundTrip",
      "Http1CodecBenchmark.serverDecodeEncode",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=adversarialDots}",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=adversarialEscapes}",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=adversarialSlashes}",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=clean}",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=dotSegments}",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=encoded}",
      "PathNormalizeBenchmark.normalizeAndMerge{kind=query}",
      "RouteLookupBenchmark.exactDomain",
      "RouteLookupBenchmark.exactDomainFreshAuthority",
      "RouteLookupBenchmark.miss",
      "RouteLookupBenchmark.wildcardDomain",
      "RbacBenchmark.evaluate{celCondition=true}",
      "RbacBenchmark.evaluate{celCondition=false}",
      "RbacBenchmark.withView{celCondition=true}",
      "RbacBenchmark.withView{celCondition=false}");

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyBenchmarkRunsInProcessAndScoresAboveZero() throws Exception {
    Options options = new OptionsBuilder()
        .include("dev\\.egret\\.benchmarks\\..*")
        .forks(0)
        .threads(1)
        .warmupIterations(1)
        .warmupTime(TimeValue.milliseconds(50))
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(50))
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();

    Collection<RunResult> results = new Runner(options).run();

    List<String> ran = new ArrayList<>();
    for (RunResult r : results) {
      String name = label(r);
      double score = r.getPrimaryResult().getScore();
      assertThat(score).as("score of %s", name).isPositive().isFinite();
      ran.add(name);
    }
    assertThat(ran).containsExactlyInAnyOrderElementsOf(EXPECTED);
  }

  /** {@code Class.method} plus {@code {param=value}} when parameterised. */
  private static String label(RunResult r) {
    String benchmark = r.getParams().getBenchmark();
    String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
    List<String> params = new ArrayList<>();
    for (String key : r.getParams().getParamsKeys()) {
      params.add(key + "=" + r.getParams().getParam(key));
    }
    return params.isEmpty() ? shortName : shortName + "{" + String.join(",", params) + "}";
  }
}
