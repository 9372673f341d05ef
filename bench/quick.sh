#!/usr/bin/env bash
# Quick mode: builds the benchmarks and runs every one of them for a single short iteration
# (no warm-up, 100 ms, batches of 2 frames). It proves the suite runs; its numbers mean nothing.
# The full log goes to bench/target/quick.log; the summary table is printed.
# Extra arguments go to JMH, e.g. `bench/quick.sh KernelBench` to run one class.
# The GPU benchmarks (GpuKernelBench, GpuModelBench) are left out unless CUDA_BENCH=1: on a machine
# without a usable CUDA backend their @Setup fails by design (CI has no GPU; see bench/run-gpu.sh).
# OrtBench (the ONNX Runtime baseline) needs the ONNX files of bench/onnx/export_monkeynet.py, which
# needs PyTorch: where they are missing (CI) it is left out, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package
log=bench/target/quick.log
EXCLUDE=()
if [ "${CUDA_BENCH:-0}" != 1 ]; then
  EXCLUDE=(-e 'io\.motionkernels\.bench\.Gpu')
fi
onnx=bench/results/onnx
if ! ls "$onnx"/{shapes,nemo,moving-gif,vox}.{encode,frame,generator}.onnx > /dev/null 2>&1; then
  echo "bench/quick.sh: OrtBench left out: no ONNX export in $onnx (run /usr/bin/python3 bench/onnx/export_monkeynet.py; needs python3-torch and python3-onnx)"
  EXCLUDE+=(-e 'io\.motionkernels\.bench\.OrtBench')
fi
if java -jar bench/target/benchmarks.jar -f 1 -wi 0 -i 1 -w 100ms -r 100ms -p batch=2 -foe true "${EXCLUDE[@]}" "$@" > "$log" 2>&1; then
  sed -n '/^Benchmark /,$p' "$log" | grep -v -E ':(bytes|flops) ' || true
else
  tail -n 60 "$log"
  echo "bench/quick.sh: a benchmark failed (full log: $log)" >&2
  exit 1
fi
