#!/usr/bin/env bash
# The GPU half of the benchmarks: GpuKernelBench and GpuModelBench (JMH, the CUDA backend) and
# bench_torch.py --device cuda (PyTorch on the same GPU, TF32 off, then on), then
# bench/report_gpu.py joins them into gpu.md. Run it on a machine with an NVIDIA GPU.
#
#   bench/run-gpu.sh [--quick] [java|torch|all]      (default: all; --quick: one short run of each)
#
# Results go to $GPU_RESULTS, else $OUT (the device machine's folder that comes back), else
# bench/results/gpu: machine.txt, jmh-gpu.log (GpuProbe's output, then JMH's), jmh-gpu.json,
# torch.log (both PyTorch runs), torch-cuda.json, torch-cuda-tf32.json, gpu.md: 7 files, under the
# 8 a device call brings back. Exit status: 0 all ran, 2 CUDA not usable, 1 another failure.
#
# Java: from bench/target/gpu-bench.tgz when it exists (built here by bench/bundle-gpu.sh: a jlink
# runtime and the JMH jar, for a GPU machine without Java), else `java` and bench/target/benchmarks.jar.
# CUDA 13 runtime and cuDNN 9: from the PyTorch environment's nvidia-* wheels, put on LD_LIBRARY_PATH
# as native-tests/run.sh does (shared/GPU.md). Python: $PYTHON, else python3 (the one with CUDA torch).
#
# On the device machine (no Java, no network), from this checkout:
#   1. here:  bench/bundle-gpu.sh                                   -> bench/target/gpu-bench.tgz (~35 MiB)
#   2. device: run(command="bench/run-gpu.sh", carry=["bench/target/gpu-bench.tgz"])
#      A full run is about 8 minutes (JMH ~5, PyTorch ~3); if a 10-minute call is too short, run
#      `bench/run-gpu.sh java` and `bench/run-gpu.sh torch` in two calls, then report_gpu.py here.
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK=""
PART=all
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    java|torch|all) PART=$a ;;
    *) echo "usage: bench/run-gpu.sh [--quick] [java|torch|all]" >&2; exit 1 ;;
  esac
done
RES=${GPU_RESULTS:-${OUT:-bench/results/gpu}}
mkdir -p "$RES"
PY=${PYTHON:-python3}

if [ -f bench/target/gpu-bench.tgz ]; then
  WORK=bench/target/gpu-bench
  rm -rf "$WORK" && mkdir -p "$WORK" && tar -xzf bench/target/gpu-bench.tgz -C "$WORK"
  JAVA=$WORK/jre/bin/java
  JAR=$WORK/benchmarks.jar
  if ! "$PY" -c 'import yaml' 2>/dev/null; then
    export PYTHONPATH="$PWD/$WORK/pylib${PYTHONPATH:+:$PYTHONPATH}"
  fi
else
  JAVA=java
  JAR=bench/target/benchmarks.jar
fi

NV=$("$PY" - 2>/dev/null <<'PY'
import nvidia, os
paths = list(getattr(nvidia, "__path__", [])) or [os.path.dirname(nvidia.__file__)]
print(paths[0])
PY
) || NV=""
LIBS=""
if [ -n "$NV" ] && [ -d "$NV" ]; then
  while IFS= read -r d; do LIBS="$LIBS:$d"; done < <(find "$NV" -maxdepth 3 -type d -name lib | sort)
fi
export LD_LIBRARY_PATH="${LIBS#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | head -1)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "java: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
  echo "torch: $("$PY" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1 | tail -1)"
  echo "nvidia wheels: ${NV:-none found}"
} > "$RES/machine.txt"
cat "$RES/machine.txt"

RC=0
if [ "$PART" = java ] || [ "$PART" = all ]; then
  "$JAVA" -cp "$JAR" io.motionkernels.bench.GpuProbe 2>&1 | tee "$RES/jmh-gpu.log"
  P=${PIPESTATUS[0]}
  if [ "$P" -ne 0 ]; then
    echo "run-gpu.sh: the CUDA backend is not usable here (see $RES/jmh-gpu.log); no Java GPU benchmarks" >&2
    exit 2
  fi
  if [ -n "$QUICK" ]; then
    JMH_ARGS=(-f 1 -wi 0 -i 1 -w 100ms -r 100ms -p batch=2)
  else
    JMH_ARGS=()
  fi
  "$JAVA" -jar "$JAR" "${JMH_ARGS[@]}" -foe true -rf json -rff "$RES/jmh-gpu.json" 'io\.motionkernels\.bench\.Gpu' 2>&1 \
    | tee -a "$RES/jmh-gpu.log" | grep -E '^(# Benchmark:|# Parameters:|Result|Benchmark had)' 
  R=${PIPESTATUS[0]}
  echo "JMH exit status $R" | tee -a "$RES/jmh-gpu.log"
  [ "$R" -ne 0 ] && RC=1
fi

if [ "$PART" = torch ] || [ "$PART" = all ]; then
  # The Java model defaults to 32 frames per batch on the GPU (GpuModelBench); --quick uses 2 like JMH's.
  BATCH=32
  [ -n "$QUICK" ] && BATCH=2
  : > "$RES/torch.log"
  for mode in strict tf32; do
    args=(--device cuda --batch "$BATCH" --out "$RES/torch-cuda$([ $mode = tf32 ] && echo -tf32).json")
    [ $mode = tf32 ] && args+=(--tf32)
    [ -n "$QUICK" ] && args+=(--quick)
    echo "== bench_torch.py ($mode) ${args[*]}" >> "$RES/torch.log"
    "$PY" bench/pytorch/bench_torch.py "${args[@]}" 2>&1 | tee -a "$RES/torch.log"
    R=${PIPESTATUS[0]}
    [ "$R" -ne 0 ] && { echo "bench_torch.py ($mode) exit status $R" >&2; RC=1; }
  done
fi

if [ -f "$RES/jmh-gpu.json" ] || [ -f "$RES/torch-cuda.json" ]; then
  "$PY" bench/report_gpu.py --dir "$RES" --md "$RES/gpu.md" || RC=1
fi
exit "$RC"
