#!/usr/bin/env bash
# Compiles small programs against the public headers and checks what the compiler says.
#   fail/*.cpp  must NOT compile, and the first error must contain the text on the file's
#               "// expect: ..." line (the static_assert of concepts.hpp naming what is missing).
#   pass/*.cpp  must compile (for instance a model written before dual.hpp is included).
#
# Usage: check_concept_messages.sh CXX INCLUDE_DIR [EXTRA_FLAGS...]
# Exit status: 0 all cases behaved; 1 otherwise (each failure is printed with the compiler's
# first lines); 2 bad usage.
set -uo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 CXX INCLUDE_DIR [EXTRA_FLAGS...]" >&2
  exit 2
fi
cxx=$1
include=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp "${TMPDIR:-/tmp}/scorepath-concepts.XXXXXX")
trap 'rm -f "$log"' EXIT


failures=0
cases=0
for src in "$here"/fail/*.cpp; do
  cases=$((cases + 1))
  name=fail/$(basename "$src")
  expect=$(sed -n 's|^// expect: ||p' "$src" | head -n 1)
  if [[ -z $expect ]]; then
    echo "FAIL $name: no '// expect: ' line"
    failures=$((failures + 1))
    continue
  fi
  if "$cxx" -std=c++17 -fsyntax-only -fopenmp "$@" -I"$include" "$src" >"$log" 2>&1; then
    echo "FAIL $name: compiled, but must be refused with: $expect"
    failures=$((failures + 1))
    continue
  fi
  first_error=$(grep -m 1 'error' "$log" || true)
  if [[ $first_error != *"$expect"* ]]; then
    echo "FAIL $name: the first error does not say: $expect"
    head -n 12 "$log" | sed 's/^/       /'
    failures=$((failures + 1))
    continue
  fi
  echo "ok   $name"
done
for src in "$here"/pass/*.cpp; do
  cases=$((cases + 1))
  name=pass/$(basename "$src")
  if ! "$cxx" -std=c++17 -fsyntax-only -fopenmp "$@" -I"$include" "$src" >"$log" 2>&1; then
    echo "FAIL $name: must compile"
    grep -m 5 'error' "$log" | sed 's/^/       /'
    failures=$((failures + 1))
    continue
  fi
  echo "ok   $name"
done
echo "check_concept_messages.sh: $((cases - failures)) of $cases cases behaved"
[[ $failures -eq 0 ]]
