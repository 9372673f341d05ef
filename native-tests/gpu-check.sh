#!/usr/bin/env bash
# The GPU check: one device call, at most 8 minutes on an H100/H200, and as much information as
# possible when parts fail. Each stage runs in its own process with its own `timeout` and writes
# one PASS/FAIL/SKIP line to $OUT/summary.txt; a failed stage never stops the next. At most 8
# files come back in $OUT (the device tool's limit):
#   summary.txt  the stage lines, then each stage's last lines
#   env.log      driver, GPU, and where libcuda, libcudart, libcudnn, libcublas, libcublasLt are
#   probe.log    `motion-kernels info` (CudaAvailability's checks)
#   ops.log      io.motionkernels.engine.OpsHarness --device cuda, one JVM per op family,
#                CUDA_LAUNCH_BLOCKING=1 (an illegal address fails that family only); then every
#                convolution of shapes, nemo and vox alone on cuDNN against the CPU (GpuCheck convs)
#   verify-strict.log  every reference case on CUDA, strict (FMA math), bound 1e-4, with the
#                convolution plans cuDNN chose (algorithm, math, workspace, fused or not)
#   verify-fast.log    the network cases again: fast (TF32), graph replay, NaN poisoning, 3e-3
#   timings.log  nemo 64x64 and vox 256x256, strict and fast, streamed and 32-frame batches;
#                then FOMM vox-256 (8-frame batches). FOMM's reference cases go to verify-strict.log
#   sanitizer.log  compute-sanitizer memcheck on one op family, when it is installed and time is left
# Exit status: 0 every stage passed, 1 otherwise.
#
# On the device machine, from the checkout, with the bundle native-tests/bundle.sh built here:
#   run(command="bash native-tests/gpu-check.sh", carry=["bundle/gpu-check.tar.xz"], timeout_s=540)
# Environment: OUT (default ./gpu-check-out), GPU_CHECK_SECONDS (the whole budget, default 470),
# GPU_CHECK_BUNDLE (default bundle/gpu-check.tar.xz), GPU_CHECK_WORK (an unpacked bundle: no
# unpacking; the tests use it), PYTHON (the interpreter with the nvidia-* wheels, default python3).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${OUT:-$PWD/gpu-check-out}
mkdir -p "$OUT"
BUDGET=${GPU_CHECK_SECONDS:-470}
START=$SECONDS
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
RESULT=0
STAGES=()

note() { echo "$*" | tee -a "$SUMMARY"; }
# result NAME STATUS DETAIL: one stage line in the summary and on stdout.
result() {
    local name=$1 status=$2 detail=${3:-}
    STAGES+=("$name")
    printf '%-4s %-28s %s\n' "$status" "$name" "$detail" | tee -a "$SUMMARY"
    [ "$status" = FAIL ] && RESULT=1
    return 0
}
left() { echo $((BUDGET - (SECONDS - START))); }
# limit CAP: the timeout for a stage, CAP seconds or what is left of the budget, whichever is less.
limit() { local l; l=$(left); [ "$l" -lt "$1" ] && echo "$l" || echo "$1"; }

note "gpu-check $(date -u '+%Y-%m-%d %H:%M:%S UTC'), budget ${BUDGET}s, checkout $ROOT"

# ---- the bundle ----
WORK=${GPU_CHECK_WORK:-}
if [ -z "$WORK" ]; then
    TARBALL=${GPU_CHECK_BUNDLE:-$ROOT/bundle/gpu-check.tar.xz}
    if [ -f "$TARBALL" ]; then
        WORK=$(mktemp -d /tmp/mk-gpu-check.XXXXXX)
        trap 'rm -rf "$WORK"' EXIT
        tar -xJf "$TARBALL" -C "$WORK" || { note "could not unpack $TARBALL"; WORK=""; }
    fi
fi
JAVA_OK=1
if [ -z "$WORK" ] || [ ! -x "$WORK/jre/bin/java" ]; then
    JAVA_OK=0
    note "no bundle (build it here with native-tests/bundle.sh and carry bundle/gpu-check.tar.xz): every Java stage is skipped"
fi

# ---- CUDA 13 runtime, cuBLAS and cuDNN 9 from the PyTorch environment's nvidia-* wheels (shared/GPU.md) ----
PY=${PYTHON:-python3}
NV=$(timeout 30 "$PY" - 2>/dev/null <<'PY'
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

# ---- stage 1: environment and libraries ----
{
    echo "== machine"; uname -a
    echo "== nvidia-smi"; timeout 20 nvidia-smi 2>&1 | head -20
    timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1
    echo "== nvidia wheels: ${NV:-none found}"
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
} > "$OUT/env.log" 2>&1
MISSING=()
for lib in libcuda.so.1 libcudart.so.13 libcudnn.so.9 libcublas.so.13 libcublasLt.so.13; do
    where=""
    for d in ${LD_LIBRARY_PATH//:/ }; do
        if [ -e "$d/$lib" ]; then where=$d/$lib; break; fi
    done
    [ -z "$where" ] && where=$( (ldconfig -p 2>/dev/null || true) | awk -v l="$lib" '$1 == l {print $NF; exit}')
    echo "$lib -> ${where:-NOT FOUND}" >> "$OUT/env.log"
    [ -z "$where" ] && MISSING+=("$lib")
done
GPU=$(timeout 20 nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)
if [ -z "$GPU" ]; then
    result env FAIL "no GPU: nvidia-smi failed${MISSING:+; missing ${MISSING[*]}}"
elif [ "${#MISSING[@]}" -gt 0 ]; then
    result env FAIL "$GPU; missing ${MISSING[*]}"
else
    result env PASS "$GPU; libcuda, libcudart, libcudnn, libcublas, libcublasLt found"
fi

JAVA=()
if [ "$JAVA_OK" = 1 ]; then
    JAVA=("$WORK/jre/bin/java" -Xmx24g --add-modules jdk.incubator.vector
          -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache"
          -cp "$WORK/classes:$ROOT/src/main/resources:$WORK/test-classes:$WORK/lib/*")
fi
# java_stage NAME LOG CAP ARGS...: one JVM under timeout, output appended to LOG; sets RC.
java_stage() {
    local name=$1 log=$2 cap=$3; shift 3
    local t; t=$(limit "$cap")
    echo "== $name (timeout ${t}s): $*" >> "$log"
    if [ "$t" -lt 5 ]; then
        RC=125; echo "no time left" >> "$log"; return
    fi
    timeout -k 5 "$t" "${JAVA[@]}" -Djava.awt.headless=true "$@" >> "$log" 2>&1
    RC=$?
    echo "== $name: exit status $RC" >> "$log"
}
# verdict RC: the stage status for an exit status.
verdict() {
    case "$1" in
        0) echo PASS ;;
        125) echo SKIP ;;
        *) echo FAIL ;;
    esac
}
why() {
    case "$1" in
        0) echo "" ;;
        2) echo "refused (exit 2): $(grep '^error:' "$2" | tail -1 | cut -c1-300)" ;;
        124|137) echo "timed out" ;;
        125) echo "no time left in the ${BUDGET} s budget" ;;
        *) echo "exit $1: $(grep -E '^(FAIL|verify|timing)' "$2" | tail -1 | cut -c1-200)" ;;
    esac
}

# so_far LOG: what a verify log holds so far, for a stage that did not finish.
so_far() { echo "$(grep -c '^PASS' "$1") cases passed, $(grep -c '^FAIL' "$1") failed so far"; }

# ---- stage 2: probe ----
: > "$OUT/probe.log"
if [ "$JAVA_OK" = 1 ]; then
    java_stage probe "$OUT/probe.log" 60 io.motionkernels.cli.Main info
    if [ "$RC" = 125 ]; then
        result probe SKIP "$(why "$RC" "$OUT/probe.log")"
    elif [ "$RC" = 0 ] && grep -q '^cuda: usable' "$OUT/probe.log"; then
        result probe PASS "$(grep -m1 'cuDNN' "$OUT/probe.log" | sed 's/^ *//' | cut -c1-120)"
    else
        result probe FAIL "$(grep -m1 '^cuda:' "$OUT/probe.log" | cut -c1-300)$([ "$RC" != 0 ] && echo " ($(why "$RC" "$OUT/probe.log"))")"
    fi
else
    result probe SKIP "no bundle"
fi

# ---- stage 3: op harness, one JVM per family ----
: > "$OUT/ops.log"
if [ "$JAVA_OK" = 1 ]; then
    FAMILIES=()
    mapfile -t FAMILIES < <(timeout 60 "${JAVA[@]}" io.motionkernels.engine.OpsHarness --families 2>>"$OUT/ops.log")
    if [ "${#FAMILIES[@]}" -eq 0 ]; then
        result ops FAIL "io.motionkernels.engine.OpsHarness listed no op families (see ops.log)"
    fi
    OPS_END=$((SECONDS + $(limit 110)))
    REFUSED=""
    for F in "${FAMILIES[@]}"; do
        if [ -n "$REFUSED" ]; then
            result "ops $F" SKIP "CUDA not usable (see the first family)"; continue
        fi
        rem=$((OPS_END - SECONDS))
        if [ "$rem" -lt 5 ]; then
            result "ops $F" SKIP "the op stage's 110 s are spent"; continue
        fi
        CUDA_LAUNCH_BLOCKING=1 java_stage "ops $F" "$OUT/ops.log" "$rem" io.motionkernels.engine.OpsHarness \
            --device cuda --case "$F/"
        result "ops $F" "$(verdict "$RC")" "$(why "$RC" "$OUT/ops.log")"
        [ "$RC" = 2 ] && REFUSED=1
    done
else
    result ops SKIP "no bundle"
fi

# ---- stage 3b: every convolution of the models alone, cuDNN against the CPU ----
if [ "$JAVA_OK" = 1 ]; then
    CUDA_LAUNCH_BLOCKING=1 java_stage convs "$OUT/ops.log" 60 io.motionkernels.cuda.GpuCheck convs \
        --config shapes --config nemo --config vox
    result convs "$(verdict "$RC")" "$(grep -m1 '^convs (' "$OUT/ops.log" || echo "$(why "$RC" "$OUT/ops.log"); \
$(grep -c '^PASS conv' "$OUT/ops.log") passed, $(grep -c '^FAIL conv' "$OUT/ops.log") failed so far")"
else
    result convs SKIP "no bundle"
fi

# ---- the reference cases, read from the checkout ----
CASES=()
for d in golden/shapes golden/nemo cases/custom cases/published cases/transfer; do
    [ -d "$ROOT/src/test/resources/$d" ] && CASES+=("$ROOT/src/test/resources/$d")
done
# shapes-expected names its weights file:shapes.safetensors beside it: the demo weights, which
# the checkout holds once, in src/main/resources.
EXPECTED=$ROOT/src/test/resources/golden/checkpoints/shapes-expected.safetensors
DEMO=$ROOT/src/main/resources/io/motionkernels/demo/shapes.safetensors
if [ -f "$EXPECTED" ] && [ -f "$DEMO" ]; then
    CK=$(mktemp -d /tmp/mk-gpu-cases.XXXXXX)
    ln -s "$EXPECTED" "$CK/shapes-expected.safetensors"
    ln -s "$DEMO" "$CK/shapes.safetensors"
    CASES+=("$CK")
fi

# ---- stage 4: strict verify of every reference case on CUDA ----
: > "$OUT/verify-strict.log"
if [ "$JAVA_OK" = 1 ]; then
    java_stage "verify strict" "$OUT/verify-strict.log" 110 io.motionkernels.cuda.GpuCheck verify \
        --precision strict "${CASES[@]}"
    result "verify strict" "$(verdict "$RC")" "$(grep -m1 '^verify (' "$OUT/verify-strict.log" || echo "$(why "$RC" "$OUT/verify-strict.log"); $(so_far "$OUT/verify-strict.log")")"
else
    result "verify strict" SKIP "no bundle"
fi

# ---- stage 5: fast + replay + poison verify ----
: > "$OUT/verify-fast.log"
if [ "$JAVA_OK" = 1 ]; then
    java_stage "verify fast+replay+poison" "$OUT/verify-fast.log" 90 io.motionkernels.cuda.GpuCheck verify \
        --precision fast --replay --poison "${CASES[@]}"
    result "verify fast+replay+poison" "$(verdict "$RC")" \
        "$(grep -m1 '^verify (' "$OUT/verify-fast.log" || echo "$(why "$RC" "$OUT/verify-fast.log"); $(so_far "$OUT/verify-fast.log")")"
else
    result "verify fast+replay+poison" SKIP "no bundle"
fi

# ---- stage 6: first timings ----
: > "$OUT/timings.log"
for cfg in nemo vox; do
    if [ "$JAVA_OK" = 1 ]; then
        java_stage "timings $cfg" "$OUT/timings.log" 40 io.motionkernels.cuda.GpuCheck timings --config "$cfg" \
            --batch 32 --seconds 3
        result "timings $cfg" "$(verdict "$RC")" "$( [ "$RC" = 0 ] && grep "timing $cfg" "$OUT/timings.log" \
            | grep -o '[0-9.]* ms/frame' | tr '\n' ' ' || why "$RC" "$OUT/timings.log")"
    else
        result "timings $cfg" SKIP "no bundle"
    fi
done

# ---- stage 6b: First Order Motion Model, the same engine's second family ----
# Its reference cases (the shipped golden-fomm copy and our own, checkpoint cases included) through
# the public API on CUDA, appended to verify-strict.log; then vox-256 timings, appended to timings.log.
FOMM_CASES=()
for d in golden-fomm cases/fomm; do
    [ -d "$ROOT/src/test/resources/$d" ] && FOMM_CASES+=("$ROOT/src/test/resources/$d")
done
if [ "$JAVA_OK" = 1 ] && [ "${#FOMM_CASES[@]}" -gt 0 ]; then
    FLOG=$OUT/.verify-fomm.log
    : > "$FLOG"
    java_stage "verify fomm" "$FLOG" 80 io.motionkernels.cuda.GpuCheck verify --precision strict "${FOMM_CASES[@]}"
    result "verify fomm" "$(verdict "$RC")" "$(grep -m1 '^verify (' "$FLOG" || echo "$(why "$RC" "$FLOG"); $(so_far "$FLOG")")"
    { echo "---- First Order Motion Model ----"; cat "$FLOG"; } >> "$OUT/verify-strict.log"
    rm -f "$FLOG"
elif [ "$JAVA_OK" = 1 ]; then
    result "verify fomm" SKIP "no FOMM cases in the checkout"
else
    result "verify fomm" SKIP "no bundle"
fi
if [ "$JAVA_OK" = 1 ]; then
    java_stage "timings vox-256" "$OUT/timings.log" 50 io.motionkernels.cuda.GpuCheck timings --config vox-256 \
        --batch 8 --seconds 3
    result "timings vox-256" "$(verdict "$RC")" "$( [ "$RC" = 0 ] && grep "timing vox-256" "$OUT/timings.log" \
        | grep -o '[0-9.]* ms/frame' | tr '\n' ' ' || why "$RC" "$OUT/timings.log")"
else
    result "timings vox-256" SKIP "no bundle"
fi

# ---- stage 7: compute-sanitizer memcheck, if installed and time is left ----
: > "$OUT/sanitizer.log"
SAN=$(command -v compute-sanitizer || true)
[ -z "$SAN" ] && [ -n "$NV" ] && SAN=$(find "$NV" /usr/local/cuda*/bin -maxdepth 3 -name compute-sanitizer -type f 2>/dev/null | head -1)
if [ "$JAVA_OK" != 1 ]; then
    result sanitizer SKIP "no bundle"
elif [ -z "$SAN" ]; then
    result sanitizer SKIP "compute-sanitizer is not installed"
elif [ "$(left)" -lt 40 ]; then
    result sanitizer SKIP "no time left ($(left) s)"
else
    t=$(limit 200)
    echo "== memcheck (timeout ${t}s)" >> "$OUT/sanitizer.log"
    CUDA_LAUNCH_BLOCKING=1 timeout -k 5 "$t" "$SAN" --tool memcheck --error-exitcode 99 --target-processes all \
        "${JAVA[@]}" io.motionkernels.engine.OpsHarness --device cuda --case "${SANITIZE_CASE:-grid_sample/}" \
        >> "$OUT/sanitizer.log" 2>&1
    RC=$?
    result sanitizer "$(verdict "$RC")" "$( [ "$RC" = 99 ] && echo "memcheck found errors" || why "$RC" "$OUT/sanitizer.log")"
fi
[ -n "${CK:-}" ] && rm -rf "$CK"

{
    echo
    echo "stages: ${#STAGES[@]}, $((SECONDS - START)) s; result: $([ "$RESULT" = 0 ] && echo PASS || echo FAIL)"
    for f in probe ops verify-strict verify-fast timings sanitizer; do
        [ -s "$OUT/$f.log" ] || continue
        echo; echo "---- $f.log (last lines)"; tail -n 12 "$OUT/$f.log"
    done
} >> "$SUMMARY"
exit "$RESULT"
