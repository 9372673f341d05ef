#!/usr/bin/env bash
# Compiles kernels/*.cu for the CPU with cuda_shim.h and checks them against the golden op cases
# and double-precision loops: what the kernels compute, checked where there is no GPU.
#   bash native-tests/emulate/run.sh [CASES_DIR...]      (default the shipped op cases, src/test/resources/golden/ops)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIRS=("$@")
[ ${#DIRS[@]} -gt 0 ] || DIRS=("$ROOT/src/test/resources/golden/ops")
BIN=${EMULATE_BIN:-$ROOT/target/emulate-kernels}
mkdir -p "$(dirname "$BIN")"
g++ -std=c++17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -o "$BIN" "$HERE/emulate.cpp"
shopt -s nullglob
FILES=()
for d in "${DIRS[@]}"; do FILES+=("$d"/*.safetensors); done
"$BIN" "${FILES[@]}"
