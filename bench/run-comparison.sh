#!/usr/bin/env bash
# The Java/PyTorch comparison, back to back on this machine: builds the library and the JMH
# benchmarks, runs JMH (bounds, kernels, whole model), then the PyTorch script on the same shapes
# with 2 threads, then bench/report.py, which joins both into bench/results/comparison.md and
# bench/results/fps.png. About 10-12 minutes on 2 cores.
#
#   bench/run-comparison.sh            # full run
#   bench/run-comparison.sh --quick    # every benchmark once, seconds each: proves the pipeline
#
# The GPU benchmarks (GpuKernelBench, GpuModelBench) are left out unless CUDA_BENCH=1; on a GPU
# machine use bench/run-gpu.sh, which also times PyTorch on the GPU.
# Needs Debian's python3-torch and python3-matplotlib for /usr/bin/python3 (not a pyenv python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
OUT=bench/results
QUICK=${1:-}
mkdir -p "$OUT"

machine() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
       "family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')" \
       "model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')," \
       "$(nproc) cores, $(lscpu | sed -n 's/^L2 cache: *//p') L2, $(lscpu | sed -n 's/^L3 cache: *//p') L3"
  echo "flags: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|avx2|fma|avx512f)$' | tr '\n' ' ')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -sr)"
  echo "jdk: $(java -version 2>&1 | head -2 | tail -1)"
  echo "torch: $($PY -c 'import torch; print(torch.__version__)')"
}

load() {
  echo "$1: load average $(cut -d' ' -f1-3 /proc/loadavg); busiest other processes:"
  ps -eo pcpu,etime,args --sort=-pcpu | awk -v me=$$ 'NR>1 && $1>5 {print "  " substr($0, 1, 140)}' | head -6
}

machine > "$OUT/machine.txt"
load "before" >> "$OUT/machine.txt"

mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package

if [ "$QUICK" = "--quick" ]; then
  JMH_ARGS=(-f 1 -wi 0 -i 1 -w 100ms -r 100ms -p batch=2)
  TORCH_ARGS=(--quick --batch 2)
else
  JMH_ARGS=()
  TORCH_ARGS=()
fi

if [ "${CUDA_BENCH:-0}" != 1 ]; then
  JMH_ARGS+=(-e 'io\.motionkernels\.bench\.Gpu')
fi

start=$(date +%s)
java -jar bench/target/benchmarks.jar "${JMH_ARGS[@]}" -foe true -rf json -rff "$OUT/jmh.json" \
  | tee "$OUT/jmh.log" | grep -E '^(# JMH version|# Benchmark:|# Parameters:|Iteration|Result)' || true
grep -m1 '^# JMH version' "$OUT/jmh.log" >> "$OUT/machine.txt"
load "between JMH and PyTorch" >> "$OUT/machine.txt"

# OpenMP's default active spinning is PyTorch's fastest setting on an idle machine (a nemo frame:
# 34 ms against 47 ms passive on 2 Zen 5 cores), so it is the default here. On a machine shared
# with other work it turns every parallel region into a wait for a descheduled thread (measured:
# 10x slower whole frames); run with OMP_WAIT_POLICY=PASSIVE there.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-ACTIVE}
echo "torch OMP_WAIT_POLICY: $OMP_WAIT_POLICY" >> "$OUT/machine.txt"
$PY bench/pytorch/bench_torch.py --threads 2 --out "$OUT/torch.json" "${TORCH_ARGS[@]}"
load "after" >> "$OUT/machine.txt"
echo "wall time: $(( $(date +%s) - start )) s for JMH and PyTorch" >> "$OUT/machine.txt"

$PY bench/report.py --jmh "$OUT/jmh.json" --torch "$OUT/torch.json" --machine "$OUT/machine.txt" \
  --md "$OUT/comparison.md" --png "$OUT/fps.png"
echo "wrote $OUT/comparison.md and $OUT/fps.png"
