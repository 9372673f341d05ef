#!/usr/bin/env bash
# Our engine against its two baselines, back to back on this machine: builds the library and the
# JMH benchmarks, exports Monkey-Net to ONNX (bench/onnx/export_monkeynet.py, into
# bench/results/onnx/, skipped when the files are newer than the scripts) and checks the export
# against the reference cases through ONNX Runtime (OrtCheck), runs JMH (bounds, kernels, the whole
# model on our engine: ModelBench, and on ONNX Runtime's Java API: OrtBench), then the PyTorch
# script on the same shapes with 2 threads, then bench/report.py, which joins them into
# bench/results/comparison.md and bench/results/fps.png. About 20 minutes on 2 cores.
#
#   bench/run-comparison.sh            # full run
#   bench/run-comparison.sh --quick    # every benchmark once, seconds each: proves the pipeline
#   OUT=bench/results/ort CONFIGS=nemo,vox ROUNDS=3 bench/run-comparison.sh
#                                      # the whole model only (ModelBench, OrtBench, PyTorch) for
#                                      # these configurations, ROUNDS times in a row (each round a
#                                      # fresh JVM per benchmark: ours, ORT, PyTorch alternate); the
#                                      # report gives the median and the spread over the rounds;
#                                      # OUT (default bench/results) is where results and report go
#
# The GPU benchmarks (GpuKernelBench, GpuModelBench) are left out unless CUDA_BENCH=1; on a GPU
# machine use bench/run-gpu.sh, which also times PyTorch on the GPU.
# Needs Debian's python3-torch, python3-onnx and python3-matplotlib for /usr/bin/python3 (not a pyenv python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-bench/results}
ONNX=bench/results/onnx  # OrtBench's default (-Dort.dir)
QUICK=${1:-}
CONFIGS=${CONFIGS:-}
ROUNDS=${ROUNDS:-1}
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
  echo "onnxruntime: $(grep -A1 '<artifactId>onnxruntime<' bench/pom.xml | sed -n 's:.*<version>\(.*\)</version>.*:\1:p') (Java API, CPU execution provider)"
}

load() {
  echo "$1: load average $(cut -d' ' -f1-3 /proc/loadavg); busiest other processes:"
  ps -eo pcpu,etime,args --sort=-pcpu | awk -v me=$$ 'NR>1 && $1>5 {print "  " substr($0, 1, 140)}' | head -6
}

machine > "$OUT/machine.txt"
load "before" >> "$OUT/machine.txt"

mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package

# The ONNX Runtime baseline's model: exported once (its files are build outputs, not in git), then
# checked through ONNX Runtime against the reference cases before anything is timed.
EXPORT_CONFIGS=${CONFIGS:-shapes,nemo,moving-gif,vox}
stale=0
for c in ${EXPORT_CONFIGS//,/ }; do
  for g in encode frame generator; do
    f=$ONNX/$c.$g.onnx
    if [ ! -f "$f" ] || [ bench/onnx/export_monkeynet.py -nt "$f" ] || [ bench/onnx/monkeynet2d.py -nt "$f" ] \
        || [ bench/pytorch/monkeynet.py -nt "$f" ]; then
      stale=1
    fi
  done
done
if [ "$stale" = 1 ]; then
  $PY bench/onnx/export_monkeynet.py --configs "$EXPORT_CONFIGS" --out "$ONNX" > "$OUT/export.log" 2>&1 \
    || { cat "$OUT/export.log"; exit 1; }
  grep -E '^  [a-z-]+ ' "$OUT/export.log" || true
fi
java -cp bench/target/benchmarks.jar io.motionkernels.bench.OrtCheck ${EXPORT_CONFIGS//,/ } | tee "$OUT/ort-check.txt"

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
if [ -n "$CONFIGS" ]; then
  # the whole model only: other benchmarks' config parameters name other models
  JMH_ARGS+=('io\.motionkernels\.bench\.(ModelBench|OrtBench)\.' -p "config=$CONFIGS")
  TORCH_ARGS+=(--configs "$CONFIGS")
fi

# OpenMP's default active spinning is PyTorch's fastest setting on an idle machine (a nemo frame:
# 34 ms against 47 ms passive on 2 Zen 5 cores), so it is the default here. On a machine shared
# with other work it turns every parallel region into a wait for a descheduled thread (measured:
# 10x slower whole frames); run with OMP_WAIT_POLICY=PASSIVE there.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-ACTIVE}
echo "torch OMP_WAIT_POLICY: $OMP_WAIT_POLICY" >> "$OUT/machine.txt"

# JMH refuses to start while another JMH run holds /tmp/jmh.lock (the machine is shared): wait for
# it up to JMH_LOCK_WAIT seconds (default 600), or with JMH_IGNORE_LOCK=1 run beside it (then the
# load lines in machine.txt say what else ran)
JMH_JAVA=(java)
if [ "${JMH_IGNORE_LOCK:-0}" = 1 ]; then
  JMH_JAVA+=(-Djmh.ignoreLock=true)
fi
jmh() {
  local log=$1 waited=0
  shift
  while true; do
    "${JMH_JAVA[@]}" -jar bench/target/benchmarks.jar "$@" 2>&1 | tee "$log" \
      | grep -E '^(# JMH version|# Benchmark:|# Parameters:|Iteration|Result)' || true
    grep -q 'Unable to acquire the JMH lock' "$log" || return 0
    if [ "$waited" -ge "${JMH_LOCK_WAIT:-600}" ]; then
      echo "bench/run-comparison.sh: another JMH run held /tmp/jmh.lock for $waited s (JMH_IGNORE_LOCK=1 runs beside it)" >&2
      exit 1
    fi
    echo "another JMH run holds /tmp/jmh.lock; waiting 30 s"
    sleep 30
    waited=$((waited + 30))
  done
}

# Round r: JMH (ModelBench's forks, then OrtBench's: JMH runs classes in name order), then PyTorch.
# Rounds after the first time the whole model only.
start=$(date +%s)
JMH_FILES=()
TORCH_FILES=()
for r in $(seq 1 "$ROUNDS"); do
  sfx=$([ "$r" = 1 ] && echo "" || echo "-$r")
  args=("${JMH_ARGS[@]}")
  if [ "$r" != 1 ] && [ -z "$CONFIGS" ]; then
    args+=('io\.motionkernels\.bench\.(ModelBench|OrtBench)\.')
  fi
  load "round $r, before JMH" >> "$OUT/machine.txt"
  jmh "$OUT/jmh$sfx.log" "${args[@]}" -foe true -rf json -rff "$OUT/jmh$sfx.json"
  if [ "$r" = 1 ]; then grep -m1 '^# JMH version' "$OUT/jmh.log" >> "$OUT/machine.txt" || true; fi
  load "round $r, between JMH and PyTorch" >> "$OUT/machine.txt"
  $PY bench/pytorch/bench_torch.py --threads 2 --out "$OUT/torch$sfx.json" "${TORCH_ARGS[@]}"
  JMH_FILES+=("$OUT/jmh$sfx.json")
  TORCH_FILES+=("$OUT/torch$sfx.json")
done
load "after" >> "$OUT/machine.txt"
echo "wall time: $(( $(date +%s) - start )) s for $ROUNDS round(s) of JMH and PyTorch" >> "$OUT/machine.txt"

$PY bench/report.py --jmh "${JMH_FILES[@]}" --torch "${TORCH_FILES[@]}" --machine "$OUT/machine.txt" \
  --md "$OUT/comparison.md" --png "$OUT/fps.png"
echo "wrote $OUT/comparison.md and $OUT/fps.png"
