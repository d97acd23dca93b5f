#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, SCOREPATH_FUZZ=ON) in ${SCOREPATH_FUZZ_DIR:-build-fuzz} and
# runs each for SECONDS (default 60) on a temporary copy of its corpus in fuzz/corpus/, so the
# repository is never modified. Fails when a target finds a crash, a sanitizer report, a hang
# (-timeout=10) or a runaway allocation (-rss_limit_mb=2048); the input is kept under
# <build dir>/fuzz-artifacts/<target>/. Prints one line per target: runs, corpus size, result.
# Usage: scripts/fuzz.sh [SECONDS]    (see docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || { echo "usage: $0 [SECONDS >= 1]" >&2; exit 2; }

if ! command -v clang++ >/dev/null 2>&1; then
  echo "scorepath fuzz: installing clang and libomp-dev"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y clang libomp-dev
fi
bash scripts/setup.sh
# Ninja for a new build directory (why: scripts/build.sh).
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}

build_dir=${SCOREPATH_FUZZ_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSCOREPATH_CUDA=OFF -DSCOREPATH_MPI=OFF -DSCOREPATH_FUZZ=ON -DSCOREPATH_BUILD_TESTS=OFF \
  -DSCOREPATH_BUILD_BENCHMARKS=OFF >/dev/null
# name, corpus folder, dictionary (or -), longest input in bytes
targets=(
  "fuzz_mlp_file mlp_file fuzz/mlp_file.dict 4096"
  "fuzz_mlp_roundtrip mlp_roundtrip - 512"
  "fuzz_cli cli fuzz/cli.dict 1024"
)
names=()
for t in "${targets[@]}"; do names+=("${t%% *}"); done
cmake --build "$build_dir" -j "$(nproc)" --target "${names[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
summary=()
failed=0
for t in "${targets[@]}"; do
  read -r name corpus dict max_len <<<"$t"
  binary="$PWD/$build_dir/fuzz/$name"
  artifacts="$PWD/$build_dir/fuzz-artifacts/$name"
  mkdir -p "$work/$name/corpus" "$artifacts"
  cp fuzz/corpus/"$corpus"/* "$work/$name/corpus/"
  seeds=$(find "$work/$name/corpus" -type f | wc -l)
  options=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
           -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ "$dict" = "-" ] || options+=(-dict="$PWD/$dict")
  echo "== $name: ${seconds} s on $seeds seeds"
  status=0
  # Run in the scratch folder, stdin closed: options naming relative files or stdin touch nothing.
  (cd "$work/$name" && timeout $((seconds + 300)) "$binary" "${options[@]}" corpus \
     </dev/null >log.txt 2>&1) || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log.txt" | tail -n 1)
  size=$(find "$work/$name/corpus" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    result="ok"
  else
    failed=1
    result="FAILED (exit $status; input in $artifacts/)"
    grep -E "ERROR|runtime error|invariant|SUMMARY|what\(\)" "$work/$name/log.txt" | head -n 20 || true
    tail -n 40 "$work/$name/log.txt"
  fi
  summary+=("$(printf '%-20s runs %10s   corpus %5s files (%s seeds)   %s' \
               "$name" "${runs:-?}" "$size" "$seeds" "$result")")
done
echo
printf '%s\n' "${summary[@]}"
exit "$failed"
