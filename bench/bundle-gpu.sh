#!/usr/bin/env bash
# Builds bench/target/gpu-bench.tgz (ignored by git), what bench/run-gpu.sh needs on a GPU machine
# that has no Java, no Maven and no network (the device machine: /work/shared/GPU.md):
#   benchmarks.jar  the JMH jar (library with kernels.fatbin, JCuda and JavaCPP natives), less the
#                   JNI libraries nothing here loads (the same cut as native-tests/bundle.sh)
#   jre/            a jlink runtime: java.base, java.logging, jdk.unsupported, java.management,
#                   jdk.management (JMH's forked VMs run on it too), java.desktop (SnakeYAML: java.beans)
#   pylib/yaml/     pure-Python PyYAML for bench_torch.py, used only if the GPU machine's python lacks yaml
# Run here, on the build machine (it needs nvcc, or the jar has no kernels). About 30 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/local/bin/nvcc ] && ! command -v nvcc >/dev/null; then
  echo "bundle-gpu.sh: no nvcc: the library jar would have no CUDA kernels; build on a machine with the CUDA toolkit" >&2
  exit 1
fi
mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package
JAR=bench/target/benchmarks.jar
unzip -l "$JAR" | grep 'io/motionkernels/cuda/kernels.fatbin' >/dev/null \
  || { echo "bundle-gpu.sh: $JAR has no kernels.fatbin" >&2; exit 1; }

STAGE=bench/target/gpu-bench-stage
rm -rf "$STAGE" bench/target/gpu-bench.tgz
mkdir -p "$STAGE/pylib"
cp "$JAR" "$STAGE/benchmarks.jar"
zip -q -d "$STAGE/benchmarks.jar" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' 'lib/libJCudaRuntime*' \
  'org/bytedeco/cuda/linux-x86_64/libjninpp*' 'org/bytedeco/cuda/linux-x86_64/libjninv*' \
  'org/bytedeco/cuda/linux-x86_64/libjnicufft*' 'org/bytedeco/cuda/linux-x86_64/libjnicufile*' \
  'org/bytedeco/cuda/linux-x86_64/libjnicupti*' 'org/bytedeco/cuda/linux-x86_64/libjnicurand*' \
  'org/bytedeco/cuda/linux-x86_64/libjnicusolver*' 'org/bytedeco/cuda/linux-x86_64/libjnicusparse*' \
  'org/bytedeco/cuda/linux-x86_64/libjninccl*'

YAML=$(/usr/bin/python3 -c 'import os, yaml; print(os.path.dirname(yaml.__file__))' 2>/dev/null || true)
if [ -n "$YAML" ]; then
  mkdir -p "$STAGE/pylib/yaml"
  cp "$YAML"/*.py "$STAGE/pylib/yaml/"   # the pure-Python parser; the C extension is optional
else
  echo "bundle-gpu.sh: warning: no PyYAML here to bundle; bench_torch.py needs yaml on the GPU machine" >&2
fi

JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
# java.desktop: SnakeYAML (ModelConfig.published) needs java.beans.
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,java.management,jdk.management,java.desktop \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$STAGE/jre"

tar -C "$STAGE" -czf bench/target/gpu-bench.tgz .
rm -rf "$STAGE"
SIZE=$(stat -c %s bench/target/gpu-bench.tgz)
echo "bench/target/gpu-bench.tgz: $((SIZE / 1048576)) MiB"
if [ "$SIZE" -ge $((60 * 1048576)) ]; then
  echo "bundle-gpu.sh: over 60 MiB: the device machine takes 64 MiB in all" >&2
  exit 1
fi
