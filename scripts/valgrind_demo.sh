#!/usr/bin/env bash
# Runs `scorepath demo --small` under valgrind memcheck: no memory errors and no definite leaks.
# Valgrind does not decode AVX-512, so this build (${SCOREPATH_VALGRIND_DIR:-build-valgrind})
# targets x86-64-v3 (AVX2) instead of the machine's native instruction set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Ninja for a new build directory (why: scripts/build.sh).
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
if ! command -v valgrind >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq valgrind >/dev/null
fi
build_dir=${SCOREPATH_VALGRIND_DIR:-build-valgrind}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCOREPATH_CUDA=OFF \
  -DSCOREPATH_MPI=OFF -DSCOREPATH_CPU_ARCH=x86-64-v3 -DSCOREPATH_BUILD_TESTS=OFF -DSCOREPATH_BUILD_BENCHMARKS=OFF
cmake --build "$build_dir" -j "$(nproc)" --target scorepath_cli
# Errors exit with 3; leaks of kind "definite" count as errors. OpenMP's thread pool is still
# reachable at exit, which is not a leak.
valgrind --tool=memcheck --error-exitcode=3 --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --track-origins=yes \
  "$build_dir/apps/scorepath" demo --small --threads 2
echo "valgrind: demo ran with no memory errors and no definite leaks"
