#!/usr/bin/env bash
# `mpirun -np R scorepath ...`: for R = 1, 2 and 3, `simulate` writes the statistics, the final
# and the saved states byte for byte as one process does, `ssm` the same losses and `train` (20
# steps) the same weights, loss log and checkpoint; `info` reports the ranks; a bad option, an
# output that cannot be written and a check that fails on one rank alone stop every rank with
# exit 2 and one message, leaving no file; no run outlasts its timeout (a rank left waiting would).
# Usage: tests/cli/test_cli_mpi.sh PATH/TO/scorepath LAUNCHER [LAUNCHER FLAGS...]
set -uo pipefail
cli="$1"
shift
launcher=("$@")
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli_mpi.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; }
# run RANKS OUTFILE ARGS...: scorepath under the launcher with RANKS ranks (0: no launcher)
run() {
  local ranks="$1" out="$2"
  shift 2
  if [[ "$ranks" -eq 0 ]]; then
    timeout 300 "$cli" "$@" >"$out" 2>&1
  else
    timeout 300 "${launcher[@]}" -np "$ranks" "$cli" "$@" >"$out" 2>&1
  fi
}
# same_json A B: equal once the timings are removed
same_json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def load(path):
    j = json.load(open(path))
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items()
                    if k not in ("seconds", "samples_per_second", "path_steps_per_second")}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(j)
sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
PY
}

sim=(simulate --sde ou --dim 8 --paths 200000 --steps 16 --save-every 4 --precision double)
ssm=(ssm --model gmm --dim 16 --samples 150000 --probes 2)
train=(train --data ring --samples 3000 --steps 20 --batch 500 --hidden 16,16 --log-every 5)
for ranks in 0 1 2 3; do
  d="$work/r$ranks"
  mkdir -p "$d"
  run "$ranks" "$d/simulate.txt" "${sim[@]}" --csv "$d/stats.csv" --json "$d/run.json" \
    --states-csv "$d/final.csv" --saved-csv "$d/saved.csv" ||
    fail "simulate with $ranks ranks: exit $? $(head -c 300 "$d/simulate.txt")"
  run "$ranks" "$d/ssm.txt" "${ssm[@]}" --json "$d/ssm.json" ||
    fail "ssm with $ranks ranks: exit $? $(head -c 300 "$d/ssm.txt")"
  run "$ranks" "$d/train.txt" "${train[@]}" --out "$d/weights.txt" --log-csv "$d/log.csv" \
    --checkpoint "$d/checkpoint.json" --checkpoint-every 10 ||
    fail "train with $ranks ranks: exit $? $(head -c 300 "$d/train.txt")"
done
for ranks in 1 2 3; do
  d="$work/r$ranks"
  for f in stats.csv final.csv saved.csv weights.txt log.csv checkpoint.json; do
    if [[ -s "$work/r0/$f" ]] && cmp -s "$work/r0/$f" "$d/$f"; then
      pass "$ranks ranks: $f equals one process's, byte for byte"
    else
      fail "$ranks ranks: $f differs from one process's"
    fi
  done
  for f in run.json ssm.json; do
    if same_json "$work/r0/$f" "$d/$f"; then pass "$ranks ranks: $f equals one process's"
    else fail "$ranks ranks: $f differs from one process's"; fi
  done
done
# Rank 0 alone prints: the summary appears once.
count=$(grep -c "path-steps/s" "$work/r3/simulate.txt")
[[ "$count" -eq 1 ]] && pass "one summary from 3 ranks" || fail "summary printed $count times"

run 3 "$work/info.txt" info
grep -q "^MPI: built with .*; 3 ranks" "$work/info.txt" && pass "info reports 3 ranks" ||
  fail "info: $(grep MPI "$work/info.txt")"

# Bad input stops every rank with exit 2, one message, and no file.
status=0
run 3 "$work/bad.txt" simulate --paths 0 --csv "$work/bad.csv" || status=$?
[[ "$status" -eq 2 ]] && pass "--paths 0: exit 2 from 3 ranks" || fail "--paths 0: exit $status"
count=$(grep -c "invalid argument '--paths'" "$work/bad.txt")
[[ "$count" -eq 1 ]] && pass "--paths 0: one message" || fail "--paths 0: $count messages"
[[ ! -e "$work/bad.csv" ]] && pass "--paths 0: no file" || fail "--paths 0 left a file"
# Only rank 0 checks the outputs; the others learn of its failure and stop with it.
status=0
run 3 "$work/unwritable.txt" simulate --paths 1000 --csv "$work/missing/dir/s.csv" || status=$?
[[ "$status" -eq 2 ]] && pass "unwritable --csv: exit 2 from 3 ranks" ||
  fail "unwritable --csv: exit $status: $(head -c 300 "$work/unwritable.txt")"
grep -q "'--csv'" "$work/unwritable.txt" && pass "unwritable --csv: the option is named" ||
  fail "unwritable --csv: $(head -c 300 "$work/unwritable.txt")"

# A check that fails on one rank only (here rank 1 alone is given a missing samples file, or a
# backend this build lacks, as on a cluster node without the file or the GPU): every rank stops,
# with that rank's message, instead of waiting for it in the engine.
printf '1 2\n3 4\n5 6\n' >"$work/rows.txt"
status=0
timeout 120 "${launcher[@]}" -np 1 "$cli" ssm --dim 2 --samples-file "$work/rows.txt" : \
  -np 1 "$cli" ssm --dim 2 --samples-file "$work/missing.txt" >"$work/lone.txt" 2>&1 || status=$?
[[ "$status" -eq 2 ]] && pass "a file missing on rank 1 alone: exit 2" ||
  fail "a file missing on rank 1 alone: exit $status: $(head -c 300 "$work/lone.txt")"
grep -q "samples-file.*(rank 1 of 2)" "$work/lone.txt" && pass "rank 0 prints rank 1's message" ||
  fail "rank 1's message: $(head -c 300 "$work/lone.txt")"
status=0
timeout 120 "${launcher[@]}" -np 1 "$cli" simulate --paths 200000 --steps 4 --backend cpu : \
  -np 1 "$cli" simulate --paths 200000 --steps 4 --backend no-such >"$work/lone.txt" 2>&1 ||
  status=$?
[[ "$status" -eq 2 ]] && pass "a bad backend on rank 1 alone: exit 2" ||
  fail "a bad backend on rank 1 alone: exit $status: $(head -c 300 "$work/lone.txt")"

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
