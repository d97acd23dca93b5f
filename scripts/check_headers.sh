#!/usr/bin/env bash
# Checks that every public header compiles on its own: a translation unit that includes only that
# header, compiled by g++ and clang++ (C++ headers, *.hpp) and by nvcc (every header, as CUDA).
#
# Usage: scripts/check_headers.sh [-j JOBS]      (default: one job per core)
# Environment: CXX_COMPILERS (default "g++ clang++"; missing compilers are skipped with a note),
#   NVCC (default /usr/local/cuda/bin/nvcc or nvcc on PATH; skipped with a note when absent),
#   SCOREPATH_CPU_ARCH (the -march= of the host compiles, default native).
# Exit status: 0 every header compiled with every compiler found; 1 otherwise (the first lines of
# each failure are printed); 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

jobs=$(nproc)
while getopts ":j:h" opt; do
  case $opt in
    j) jobs=$OPTARG ;;
    h) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
  echo "check_headers.sh: -j needs a positive integer, not '$jobs'" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/scorepath-headers.XXXXXX")
trap 'rm -rf "$work"' EXIT
arch=${SCOREPATH_CPU_ARCH:-native}

nvcc=${NVCC:-}
if [[ -z $nvcc ]]; then
  if [[ -x /usr/local/cuda/bin/nvcc ]]; then nvcc=/usr/local/cuda/bin/nvcc
  elif command -v nvcc >/dev/null 2>&1; then nvcc=$(command -v nvcc); fi
fi

# The headers of scorepath/mpi/ need MPI's: its compile flags from the MPI compiler wrapper, or
# those headers are skipped with a note.
mpi_flags=""
if command -v mpicxx >/dev/null 2>&1; then mpi_flags=$(mpicxx --showme:compile 2>/dev/null || true); fi

# One line per check: "compiler header".
: >"$work/checks"
mapfile -t headers < <(cd include && find scorepath -name '*.hpp' -o -name '*.cuh' | LC_ALL=C sort)
if [[ -z $mpi_flags ]]; then
  echo "check_headers.sh: no MPI compiler wrapper (mpicxx --showme:compile); scorepath/mpi skipped"
  mapfile -t headers < <(printf '%s\n' "${headers[@]}" | grep -v '^scorepath/mpi/')
fi
for cxx in ${CXX_COMPILERS:-g++ clang++}; do
  if ! command -v "$cxx" >/dev/null 2>&1; then
    echo "check_headers.sh: $cxx not found; skipped"
    continue
  fi
  for h in "${headers[@]}"; do
    [[ $h == *.hpp ]] && echo "$cxx $h" >>"$work/checks"
  done
done
if [[ -n $nvcc ]]; then
  for h in "${headers[@]}"; do echo "nvcc $h" >>"$work/checks"; done
else
  echo "check_headers.sh: nvcc not found; CUDA compiles skipped"
fi

# check COMPILER HEADER: compiles a file that includes only HEADER; prints "ok" or "FAIL" lines.
check() {
  local compiler=$1 header=$2
  local name=${header//\//_}
  local dir=$work/$compiler-${name%.*}
  mkdir -p "$dir"
  local status=0
  local extra=()
  [[ $header == scorepath/mpi/* ]] && read -r -a extra <<<"$mpi_flags"

  if [[ $compiler == nvcc ]]; then
    printf '#include <%s>\n' "$header" >"$dir/tu.cu"
    "$nvcc" -std=c++17 -x cu --expt-relaxed-constexpr -arch=sm_80 -Xcompiler=-fopenmp \
      -I"$repo/include" "${extra[@]}" -c "$dir/tu.cu" -o "$dir/tu.o" >"$dir/log" 2>&1 || status=$?
  else
    printf '#include <%s>\n' "$header" >"$dir/tu.cpp"
    "$compiler" -std=c++17 -fsyntax-only -fopenmp "-march=$arch" -Wall -Wextra -Werror \
      -I"$repo/include" "${extra[@]}" "$dir/tu.cpp" >"$dir/log" 2>&1 || status=$?
  fi
  if [[ $status -eq 0 ]]; then
    echo "ok   $compiler $header"
  else
    echo "FAIL $compiler $header"
    grep -m 3 -i 'error' "$dir/log" | sed 's/^/       /'
  fi
}
export -f check
export work repo arch nvcc mpi_flags

xargs -P "$jobs" -L 1 bash -c 'check "$0" "$1"' <"$work/checks" >"$work/results"
sort -k2,3 "$work/results" | grep -v '^ok' || true
total=$(grep -c -e '^ok' -e '^FAIL' "$work/results" || true)
failed=$(grep -c '^FAIL' "$work/results" || true)
echo "check_headers.sh: $((total - failed)) of $total header compiles passed"
[[ $failed -eq 0 ]]
