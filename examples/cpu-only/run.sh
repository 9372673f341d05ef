#!/usr/bin/env bash
# Builds this CPU-only application against the installed motion-kernels (run `mvn install
# -DskipTests` at the repository root first), shows its dependency tree, fails if a CUDA or
# picocli jar is on its class path, and animates the sample photo with the sample GIF on the CPU.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q compile
mvn -B -q dependency:tree -DoutputFile=target/dependency-tree.txt
cat target/dependency-tree.txt
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp=$(cat target/classpath.txt)
if grep -E 'picocli|jcuda|bytedeco|metadata-extractor|xmpcore' target/dependency-tree.txt target/classpath.txt; then
  echo "examples/cpu-only: a CUDA or picocli jar is on a CPU-only application's class path" >&2
  exit 1
fi
echo "class path: $(tr ':' '\n' < target/classpath.txt | xargs -n1 basename | tr '\n' ' ')"
java -cp "target/classes:$cp" example.AnimateCpu ../../samples/shapes/00000001.png ../../samples/shapes/00000010.gif target/frames
test -s target/frames/frame-000.png
