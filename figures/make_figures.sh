#!/usr/bin/env bash
# Regenerates the README figures in docs/figures/.
#
# usage: figures/make_figures.sh [BUILD_DIR]      (default: build, relative to the repository)
#
# Builds the target scorepath_figure_data in BUILD_DIR (configuring it first if it holds no
# CMake cache), runs it to write CSV data to BUILD_DIR/figures/data, and plots the PNGs with
# figures/make_figures.py.
# Installs python3-matplotlib with apt-get when no Python with matplotlib is found.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
out="$repo/docs/figures"

# A Python with matplotlib: the one on PATH, else the system one, else install it.
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c "import matplotlib, numpy" >/dev/null 2>&1; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "installing python3-matplotlib"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-matplotlib >/dev/null
  python=/usr/bin/python3
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
if grep -q '^SCOREPATH_BUILD_APPS:BOOL=OFF' "$build/CMakeCache.txt"; then
  echo "$build is configured with SCOREPATH_BUILD_APPS=OFF; figures/ is built with the apps" >&2
  exit 1
fi
cmake --build "$build" --target scorepath_figure_data -j "$(nproc)"
program="$build/figures/scorepath_figure_data"
[ -x "$program" ] || { echo "not found: $program" >&2; exit 1; }

data="$build/figures/data"  # the CSV files stay here for inspection
mkdir -p "$data"
"$program" "$data"
mkdir -p "$out"
"$python" "$repo/figures/make_figures.py" "$data" "$out"
