#!/usr/bin/env bash
# Quick mode: builds the benchmarks and runs every one of them for a single short iteration
# (no warm-up, 100 ms, batches of 2 frames). It proves the suite runs; its numbers mean nothing.
# Extra arguments go to JMH, e.g. `bench/quick.sh KernelBench` to run one class.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package
exec java -jar bench/target/benchmarks.jar -f 1 -wi 0 -i 1 -w 100ms -r 100ms -p batch=2 -foe true "$@"
