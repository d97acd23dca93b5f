#!/usr/bin/env bash
# On a machine with a CUDA device: runs the GPU tests under compute-sanitizer, memcheck (out-of-
# bounds and misaligned accesses, leaks of device memory) and racecheck (shared-memory hazards).
# Builds with CUDA first (scripts/build.sh). Without a device there is nothing to check: exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"
bash scripts/build.sh
build_dir=${SCOREPATH_BUILD_DIR:-build}
if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu_sanitize: no CUDA device here; nothing to check"
  exit 0
fi
sanitizer=$(command -v compute-sanitizer || true)
if [ -z "$sanitizer" ]; then
  echo "gpu_sanitize: compute-sanitizer not found (it ships with the CUDA toolkit, bin/)" >&2
  exit 2
fi
# A build without the CUDA backend would skip every GPU test and so report clean having checked
# nothing: refuse it.
info=$("$build_dir/apps/scorepath" info 2>/dev/null || true)  # whole output, not `| grep -q`
if [[ $info != *"CUDA backend compiled: yes"* ]]; then
  echo "gpu_sanitize: $build_dir has no CUDA backend (configure with -DSCOREPATH_CUDA=ON)" >&2
  exit 1
fi
filter='Gpu*:GpuSsm*'
"$sanitizer" --tool memcheck --leak-check full --error-exitcode 3 \
  "$build_dir/tests/scorepath_tests" --gtest_filter="$filter"
"$sanitizer" --tool racecheck --racecheck-report all --error-exitcode 3 \
  "$build_dir/tests/scorepath_tests" --gtest_filter="$filter"
echo "gpu_sanitize: memcheck and racecheck clean"
