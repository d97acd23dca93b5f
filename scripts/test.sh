#!/usr/bin/env bash
# Builds scorepath and runs the whole test suite: the GoogleTest suite under CTest (GPU tests skip
# without a device) and the check that no CUDA kernel spills registers.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${SCOREPATH_BUILD_DIR:-build}
bash scripts/build.sh
export PATH="$PATH:/usr/local/cuda/bin"
if command -v nvcc >/dev/null 2>&1; then
  bash scripts/check_spills.sh
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
