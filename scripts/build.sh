#!/usr/bin/env bash
# Configures and builds scorepath (Release) in ${SCOREPATH_BUILD_DIR:-build}.
# Extra arguments go to cmake's configure step, e.g. -DSCOREPATH_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Ninja for a new build directory: it compiles a target's objects while the libraries it links
# are still building (one slow library file no longer idles the other cores); an existing build
# directory keeps the generator it was made with.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
build_dir=${SCOREPATH_BUILD_DIR:-build}
export PATH="$PATH:/usr/local/cuda/bin"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build_dir" -j "$(nproc)"
