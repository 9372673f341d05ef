#!/usr/bin/env bash
# Runs the GPU harness on a machine with an NVIDIA GPU, from bundle/native-tests.tgz (built by
# native-tests/bundle.sh): no Java, Maven or network needed there. Logs go to $OUT (default
# ./native-out). Exit status: the harness's (0 all passed, 1 a failure, 2 CUDA not usable).
#   bash native-tests/run.sh [harness arguments, e.g. --filter grid_sample]
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

"$WORK/jre/bin/java" -Xmx8g -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache" \
    -cp "$WORK/app/*:$WORK/lib/*:$WORK/test-classes" \
    io.motionkernels.cuda.GpuOpsHarness --golden "$WORK/golden" "$@" 2>&1 | tee "$OUT/harness.log"
RC=${PIPESTATUS[0]}
echo "harness exit status $RC" | tee -a "$OUT/harness.log"
exit "$RC"
