#!/usr/bin/env bash
# Runs the fuzz targets for longer than CI does (CI: `mvn -B verify` runs each for a fixed number of
# inputs). Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TargetClass ...]
#   fuzz/run.sh                                   every *FuzzTest, 10 minutes each
#   fuzz/run.sh 60 SafetensorsFuzzTest            one target, one minute
# A target is any class under src/test/java/io/motionkernels/fuzz/ named *FuzzTest with a public
# static fuzzerTestOneInput(byte[]); its seeds are src/test/resources/.../<Target>Inputs/*/.
# The heap is 1 GB, so an input that costs more is a finding, and so is one taking over 10 s under
# instrumentation (the library promises 2 s uninstrumented: re-measure a timeout with its reproducer).
# Findings (crash-*, timeout-*, with a Java reproducer) go to target/fuzz/findings; the corpus
# grown so far is kept in target/fuzz/corpus/<Target> and reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
mvn -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/fuzz/classpath.txt
cp="target/test-classes:target/classes:$(cat target/fuzz/classpath.txt)"
if [ $# -eq 0 ]; then
    set -- $(cd src/test/java/io/motionkernels/fuzz && ls *FuzzTest.java | sed 's/\.java$//')
fi
mkdir -p target/fuzz/findings
for target in "$@"; do
    corpus=target/fuzz/corpus/$target
    mkdir -p "$corpus"
    seeds=(src/test/resources/io/motionkernels/fuzz/"$target"Inputs/*/)
    echo "== $target: $seconds s"
    java -Xmx1g --add-modules jdk.incubator.vector -cp "$cp" com.code_intelligence.jazzer.Jazzer \
        --target_class=io.motionkernels.fuzz."$target" \
        --instrumentation_includes='io.motionkernels.**:com.fasterxml.jackson.**' \
        --reproducer_path=target/fuzz/findings \
        -artifact_prefix=target/fuzz/findings/"$target"- \
        -max_total_time="$seconds" -runs=-1 -timeout=10 -rss_limit_mb=3072 \
        "$corpus" "${seeds[@]}"
done
