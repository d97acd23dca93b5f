#!/usr/bin/env bash
# Builds the CPU backend with AddressSanitizer and UndefinedBehaviorSanitizer (gcc) in
# ${SCOREPATH_ASAN_DIR:-build-asan} and runs the whole test suite under them: the GoogleTest
# suite and the command-line checks. Any sanitizer report fails the run. The install-and-consume
# test is left out: a consumer project would need the sanitizer runtime too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Ninja for a new build directory (why: scripts/build.sh).
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
build_dir=${SCOREPATH_ASAN_DIR:-build-asan}
# -O1 -g1 keeps the heavily templated SIMD code quick to compile and the tests quick to run.
flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# MPI stays off: Open MPI's own allocations would read as leaks (the MPI tests run in test.sh).
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=None -DSCOREPATH_CUDA=OFF -DSCOREPATH_MPI=OFF \
  -DSCOREPATH_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build "$build_dir" -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" -E '^install_and_consume$'
