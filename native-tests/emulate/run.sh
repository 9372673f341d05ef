#!/usr/bin/env bash
# Compiles kernels/*.cu for the CPU with cuda_shim.h and checks them against the golden op cases
# and double-precision loops: what the kernels compute, checked where there is no GPU.
#   bash native-tests/emulate/run.sh [GOLDEN_OPS_DIR]      (default the shipped copy, src/test/resources/golden/ops)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OPS=${1:-$ROOT/src/test/resources/golden/ops}
BIN=${EMULATE_BIN:-$ROOT/target/emulate-kernels}
mkdir -p "$(dirname "$BIN")"
g++ -std=c++17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -o "$BIN" "$HERE/emulate.cpp"
shopt -s nullglob
"$BIN" "$OPS"/*.safetensors
