#!/usr/bin/env bash
# Runs the scorepath command on small inputs: results against closed forms, exit code 2 and a
# message naming the option for bad arguments, files written when asked.
# Usage: tests/cli/test_cli.sh PATH/TO/scorepath
set -euo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; }

# expect_status NAME STATUS PATTERN -- ARGS...: exit status STATUS and PATTERN in stdout+stderr.
expect_status() {
  local name="$1" want="$2" pattern="$3"
  shift 4
  local out status=0
  out="$("$cli" "$@" 2>&1)" || status=$?
  if [[ "$status" -ne "$want" ]]; then
    fail "$name: exit $status, expected $want; output: ${out:0:400}"
  elif ! grep -q -- "$pattern" <<<"$out"; then
    fail "$name: output lacks '$pattern': ${out:0:400}"
  else
    pass "$name"
  fi
}

# json_check NAME FILE PYTHON-EXPR: the expression over `j` (the parsed file) must be true.
json_check() {
  if python3 - "$2" "$3" <<'PY'; then pass "$1"; else fail "$1"; fi
import json, math, sys
j = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"math": math, "json": json, "j": j})
if not ok:
    print(json.dumps(j)[:600])
sys.exit(0 if ok else 1)
PY
}

expect_status "help" 0 "ssm" -- --help
expect_status "unknown command" 2 "see --help" -- frobnicate
expect_status "ssm help" 0 "--probes" -- ssm --help
expect_status "variance help" 0 "--replicates" -- variance --help

# A Gaussian scored by its own score: E[ISM] = -tr P = -6 exactly.
expect_status "ssm gaussian" 0 "exact E\[ISM\]" -- ssm --model gaussian --samples 200000 \
  --probes 2 --law rademacher --precision double --json "$work/ssm.json"
json_check "ssm gaussian within 5 standard errors of -tr P" "$work/ssm.json" \
  "abs(j['ssm']['value'] + 6) < 5 * j['ssm']['std_error'] and abs(j['ism']['value'] + 6) < 5 * j['ism']['std_error']"
json_check "ssm half scaling is reported" "$work/ssm.json" "j['settings']['half_scaling'] is False"

expect_status "ssm bad law" 2 "'--law'" -- ssm --law bogus
expect_status "ssm dim not compiled" 2 "'--dim' = 3" -- ssm --model gmm --dim 3
expect_status "ssm zero probes" 2 "'--probes'" -- ssm --probes 0 --samples 10
expect_status "ssm unknown model" 2 "--model" -- ssm --model unicorn
expect_status "ssm bad precision" 2 "--precision" -- ssm --precision half
expect_status "ssm missing weights file" 2 "mlp file" -- ssm --model mlp --weights "$work/none.txt"

# A 2 -> 3 -> 2 network: 3*(2+1) + 2*(3+1) = 17 parameters.
cat >"$work/net.txt" <<'NET'
scorepath-mlp 1
dim 2
hidden 3
activation tanh
parameters 17
0.1 -0.2 0.3 0.4 0.5 -0.6
0.01 0.02 0.03
-1 0.5 0.25 0.5 -1 0.75
0.1 -0.1
NET
expect_status "ssm mlp from file" 0 "MLP from" -- ssm --model mlp --weights "$work/net.txt" \
  --samples 1000 --probes 3
sed 's/parameters 17/parameters 18/' "$work/net.txt" >"$work/bad_net.txt"
expect_status "ssm mlp bad count" 2 "line 5: parameters" -- ssm --model mlp \
  --weights "$work/bad_net.txt"

printf '0.5 1.0\n# comment\n1.5, -2\n' >"$work/samples.txt"
expect_status "ssm samples file" 0 "2 samples" -- ssm --model gaussian --samples-file "$work/samples.txt"
printf '0.5 1.0\n1.5\n' >"$work/short.txt"
expect_status "ssm short samples row" 2 "line 2" -- ssm --model gaussian --samples-file "$work/short.txt"
printf '0.5 nan\n' >"$work/nan.txt"
expect_status "ssm non-finite sample" 2 "finite" -- ssm --model gaussian --samples-file "$work/nan.txt"

# A diagonal Jacobian: Rademacher probes estimate its trace exactly (variance 0).
expect_status "variance" 0 "probes needed" -- variance --model diag-gaussian --dim 2 --samples 200 \
  --replicates 8 --probes 1,2 --json "$work/var.json"
json_check "variance: rademacher exact on a diagonal Jacobian, gaussian 2|A|_F^2" "$work/var.json" \
  "all(r['empirical'] < 1e-20 for r in j['rows'] if r['law'] == 'rademacher') and \
   all(r['closed_form'] > 0 for r in j['rows'] if r['law'] == 'gaussian')"
expect_status "variance zero replicates" 2 "'--replicates'" -- variance --replicates 1 --samples 10
expect_status "variance bad target" 2 "'--target'" -- variance --target -1 --samples 10

expect_status "simulate zero paths" 2 "paths" -- simulate --paths 0
expect_status "simulate gbm" 0 "exact" -- simulate --sde gbm --paths 20000 --steps 16 \
  --json "$work/sim.json"
json_check "simulate json has statistics" "$work/sim.json" "len(json.dumps(j)) > 100"
# One --x0 value stands for every component, in the run and in the exact moments beside it.
expect_status "simulate ou one x0 for 8 components" 0 "exact" -- simulate --sde ou --dim 8 \
  --x0 2 --paths 20000 --steps 8 --json "$work/ou8.json"
json_check "simulate ou every component within 5 standard errors of its exact mean" \
  "$work/ou8.json" \
  "len(j['statistics']) == 8 and all(abs(r['mean'] - r['exact_mean']) < 5 * r['std_error'] for r in j['statistics'])"

expect_status "simulate dt" 0 "100 steps" -- simulate --dt 0.01 --paths 1000
expect_status "simulate dt not dividing" 2 "'--dt'" -- simulate --dt 0.3 --paths 1000
expect_status "simulate dt zero" 2 "'--dt'" -- simulate --dt 0 --paths 10
expect_status "variance zero probes" 2 "'--probes'" -- variance --probes 0 --samples 10
expect_status "variance bad law" 2 "'--laws'" -- variance --laws gaussian,bogus --samples 10
expect_status "ssm mlp dim not compiled" 2 "'--dim' = 3" -- ssm --model mlp --dim 3
expect_status "simulate dt and steps" 2 "excludes" -- simulate --dt 0.1 --steps 4
expect_status "simulate saved states" 0 "exact" -- simulate --paths 5 --steps 4 --save-every 2 \
  --saved-csv "$work/saved.csv" --states-csv "$work/final.csv"
# The state saved at the last step is the final state, path by path.
if python3 - "$work/saved.csv" "$work/final.csv" <<'PY'; then pass "saved csv ends at the final states"; else fail "saved csv ends at the final states"; fi
import csv, sys
saved = [r for r in csv.DictReader(open(sys.argv[1])) if r["step"] == "4"]
final = list(csv.DictReader(open(sys.argv[2])))
sys.exit(0 if len(saved) == 5 and [r["x0"] for r in saved] == [r["x0"] for r in final] else 1)
PY
expect_status "simulate saved states too large" 2 "--saved-csv" -- simulate --paths 1000000000 \
  --save-every 1 --saved-csv "$work/huge.csv"

# Found reviewing the checks that the command-line fuzz target runs (fuzz/, docs/fuzzing.md); the
# inputs are kept in fuzz/corpus/cli/. A --dt giving more than 2^62 steps converted an
# out-of-range double to an integer (undefined behaviour; UBSan reports it in fuzz_cli).
expect_status "simulate dt giving too many steps" 2 "'--dt'" -- simulate --t1 1e300 --dt 1 --paths 10
# --save-every built its save points before they were checked: 10^8 of them here, and without
# end when the next point wrapped past 2^64.
expect_status "simulate save-every too many points" 2 "'--save-every'" -- simulate --paths 10 \
  --steps 100000000 --save-every 1
expect_status "simulate save-every past 2^63" 2 "'--steps'" -- simulate --paths 10 \
  --steps 18446744073709551615 --save-every 9223372036854775809
# N x D samples wrapped around 2^64 and were written past the end of the buffer (a crash).
expect_status "ssm samples overflow" 1 "--samples" -- ssm --model gaussian \
  --samples 9223372036854775808
# OpenMP crashed starting 100000 threads.
expect_status "ssm too many threads" 2 "'--threads'" -- ssm --model gaussian --samples 10 \
  --threads 100000
expect_status "simulate too many threads" 2 "'--threads'" -- simulate --paths 10 --threads 100000
# Random MLP widths asked for 10^18 parameters: std::bad_alloc, not naming the option.
expect_status "ssm random mlp too large" 1 "--hidden" -- ssm --model mlp \
  --hidden 1000000000,1000000000 --samples 10
# A weights file with no line end (/dev/zero) was buffered without bound.
head -c 67108870 /dev/zero >"$work/zeros.txt"
expect_status "ssm weights without line ends" 2 "line length" -- ssm --model mlp \
  --weights "$work/zeros.txt"

# 64-bit unsigned options took a minus sign: CLI11 reads them with strtoull, so -5 was 2^64 - 5.
expect_status "simulate negative paths" 2 "--paths: must not be negative" -- simulate --paths -5
expect_status "ssm negative seed" 2 "--seed: must not be negative" -- ssm --seed -1 --samples 10

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
