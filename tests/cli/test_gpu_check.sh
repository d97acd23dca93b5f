#!/usr/bin/env bash
# scripts/gpu_check.sh where no CUDA device exists: exit 0 and a report that says so, naming what
# did not run; a bad option is exit 2. On a machine with a device the script itself is the check
# (it builds and runs the GPU suite), so this test leaves it to be run there by hand.
set -uo pipefail
repo=$1
if nvidia-smi -L >/dev/null 2>&1; then
  echo "skipped: a CUDA device is present; run scripts/gpu_check.sh itself"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/scorepath-gpu-check-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

bash "$repo/scripts/gpu_check.sh" --skip-build --out "$work/report.json" >"$work/out.txt" 2>&1
check "exit 0 without a device" "[[ $? -eq 0 ]]"
check "says there is no device" "grep -q 'no CUDA device here' '$work/out.txt'"
check "report: no device, build and CUDA peers not run" "python3 - '$work/report.json' <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
steps = {s['name']: s for s in r['steps']}
ok = r['device'] is None and steps['build']['status'] == 'not run' \
    and steps['peers_cuda']['status'] == 'not run' and r['tests'] is None
sys.exit(0 if ok else 1)
PY"
bash "$repo/scripts/gpu_check.sh" --no-such-option >"$work/bad.txt" 2>&1
check "a bad option is exit 2" "[[ $? -eq 2 ]]"
check "the bad option is named" "grep -q -- '--no-such-option' '$work/bad.txt'"
echo "gpu_check tests: $failures failed"
[[ $failures -eq 0 ]]
