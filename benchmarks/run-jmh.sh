#!/usr/bin/env bash
# Runs Egret's JMH suite (benchmarks/README.md).
#
#   benchmarks/run-jmh.sh [--smoke] [--heap] [--no-build] [JMH arguments...]
#
#   (none)      build, then run every benchmark with its own warmup/measurement settings (a few
#               minutes on 2 cores); results in benchmarks/results/jmh-<date>.json
#   --smoke     every benchmark for a moment (1 fork, 1 warmup and 1 measurement iteration of
#               100 ms): checks that the suite runs, the numbers mean nothing;
#               results in benchmarks/results/jmh-smoke-<date>.json
#   --heap      also print the heap retained by the 1,000-cluster / 5,000-route config, compiled
#   --no-build  use the existing benchmarks/target/egret-benchmarks.jar
#   anything else goes to JMH, e.g. a benchmark regex (RouteLookup), -prof gc, -f 2
#
# EGRET_MVN_FLAGS adds Maven flags to the build (e.g. EGRET_MVN_FLAGS=-o offline).
set -euo pipefail

cd "$(dirname "$0")/.."
smoke=0 heap=0 build=1
jmh_args=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --heap) heap=1 ;;
    --no-build) build=0 ;;
    *) jmh_args+=("$arg") ;;
  esac
done

if [[ $build == 1 ]]; then
  # shellcheck disable=SC2086
  mvn -B -q -DskipTests ${EGRET_MVN_FLAGS:-} package -pl benchmarks -am
fi
jar=benchmarks/target/egret-benchmarks.jar
[[ -f $jar ]] || { echo "run-jmh.sh: $jar is missing; run without --no-build" >&2; exit 1; }

mkdir -p benchmarks/results
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
if [[ $smoke == 1 ]]; then
  out=benchmarks/results/jmh-smoke-$stamp.json
  jmh_args=(-f 1 -wi 1 -w 100ms -i 1 -r 100ms "${jmh_args[@]}")
else
  out=benchmarks/results/jmh-$stamp.json
fi

echo "JMH on $(nproc) cores, $(java -version 2>&1 | head -1); results: $out"
java -jar "$jar" -rf json -rff "$out" "${jmh_args[@]}"

if [[ $heap == 1 ]]; then
  java -cp "$jar" dev.egret.benchmarks.ConfigHeapFootprint
fi
