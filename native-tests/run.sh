#!/usr/bin/env bash
# Runs the GPU harnesses on a machine with an NVIDIA GPU, from bundle/native-tests.tgz (built by
# native-tests/bundle.sh): no Java, Maven or network needed there. Logs go to $OUT (default
# ./native-out). SUITE=ops|model|all (default all) picks the op harness (harness.log:
# io.motionkernels.engine.OpsHarness, every Ops record on the GPU against the CPU device, one JVM
# per op family with CUDA_LAUNCH_BLOCKING=1 so that a poisoned context fails one family only),
# the model cases (model.log: io.motionkernels.engine.ModelVerify, the golden model cases on
# CUDA, strict, bound 1e-4) or both. Exit status: 0 all passed, 1 a failure, 2 CUDA not usable
# (the worst of the suites run).
#   bash native-tests/run.sh                      # every op family, then the model cases
#   bash native-tests/run.sh --case grid_sample   # (ops) one JVM, only cases whose name starts so
#   SUITE=model MODEL_ARGS="--bound 3e-3" bash native-tests/run.sh
#   SUITE=ops OPS_DEVICE=cpu bash native-tests/run.sh   # the op stage without a GPU (CPU vs CPU)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -f "$HERE/jre/bin/java" ]; then
    WORK=$HERE                                  # run from inside an unpacked bundle
else
    TGZ=${BUNDLE:-$HERE/../bundle/native-tests.tgz}
    [ -f "$TGZ" ] || { echo "run.sh: no bundle at $TGZ; build it with native-tests/bundle.sh" >&2; exit 3; }
    WORK=$(mktemp -d /tmp/mk-native.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
    tar -xzf "$TGZ" -C "$WORK"
fi
OUT=${OUT:-$PWD/native-out}
mkdir -p "$OUT"

# CUDA 13 runtime and cuDNN 9 come from the PyTorch environment's nvidia-* wheels (shared/GPU.md).
NV=$(python3 - 2>/dev/null <<'PY'
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
    echo "== machine"; uname -a; nvidia-smi 2>&1 | head -20
    echo "== nvidia wheels: ${NV:-none found}"
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    for lib in libcuda.so.1 libcudart.so.13 libcudnn.so.9; do
        printf '%s -> ' "$lib"; (ldconfig -p | grep -m1 "$lib" || true) | awk '{print $NF}'
        for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/$lib" ] && echo "   found in $d"; done
    done
} > "$OUT/env.log" 2>&1

SUITE=${SUITE:-all}
JAVA=("$WORK/jre/bin/java" -Xmx16g -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache"
      -cp "$WORK/app/*:$WORK/lib/*:$WORK/test-classes")
RC=0
if [ "$SUITE" = ops ] || [ "$SUITE" = all ]; then
    : > "$OUT/harness.log"
    if [ "$#" -gt 0 ]; then
        FAMILIES=("")
    else
        mapfile -t FAMILIES < <("${JAVA[@]}" io.motionkernels.engine.OpsHarness --families)
        if [ "${#FAMILIES[@]}" -eq 0 ]; then
            echo "ops: the harness listed no op families (is the bundle complete?)" | tee -a "$OUT/harness.log"
            RC=1
        fi
    fi
    for F in "${FAMILIES[@]}"; do
        if [ -n "$F" ]; then set -- --case "$F/"; echo "== ops: $F" | tee -a "$OUT/harness.log"; fi
        CUDA_LAUNCH_BLOCKING=1 timeout "${OPS_TIMEOUT:-300}" "${JAVA[@]}" io.motionkernels.engine.OpsHarness \
            --device "${OPS_DEVICE:-cuda}" "$@" 2>&1 | tee -a "$OUT/harness.log"
        R=${PIPESTATUS[0]}
        echo "harness exit status $R${F:+ ($F)}" | tee -a "$OUT/harness.log"
        [ "$R" -ge 124 ] && R=1                  # timed out or killed: a failure of that family
        [ "$R" -gt "$RC" ] && RC=$R
        [ "$R" -eq 2 ] && break                  # CUDA not usable: every family would say so
    done
fi
if [ "$SUITE" = model ] || [ "$SUITE" = all ]; then
    DIRS=()
    for d in shapes nemo checkpoints; do [ -d "$WORK/golden/$d" ] && DIRS+=("$WORK/golden/$d"); done
    if [ "${#DIRS[@]}" -eq 0 ]; then
        echo "model verify: no golden model cases (shapes, nemo) in the bundle" | tee "$OUT/model.log"
        R=1
    else
        # shellcheck disable=SC2086
        timeout "${MODEL_TIMEOUT:-600}" "${JAVA[@]}" io.motionkernels.engine.ModelVerify --backend cuda \
            ${MODEL_ARGS:-} "${DIRS[@]}" 2>&1 | tee "$OUT/model.log"
        R=${PIPESTATUS[0]}
        echo "model verify exit status $R" | tee -a "$OUT/model.log"
        [ "$R" -ne 0 ] && R=1                    # a failed case, a timeout or bad MODEL_ARGS
    fi
    [ "$R" -gt "$RC" ] && RC=$R
fi
exit "$RC"
