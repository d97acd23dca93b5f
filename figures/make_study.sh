#!/usr/bin/env bash
# Writes docs/sampling_study.md: builds scorepath_sampling_study in BUILD_DIR (configuring it
# first if it holds no CMake cache) and runs it.
#
# usage: figures/make_study.sh [BUILD_DIR]      (default: build, relative to the repository)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target scorepath_sampling_study -j "$(nproc)"
"$build/figures/scorepath_sampling_study" > "$repo/docs/sampling_study.md.tmp"
mv "$repo/docs/sampling_study.md.tmp" "$repo/docs/sampling_study.md"
echo "wrote $repo/docs/sampling_study.md"
