#!/usr/bin/env bash
# `scorepath sample` and `scorepath evaluate`: samples of the ring's exact score carry its equal
# component weights and sit at the law's energy distance; a trained, noise-conditioned network
# samples by the reverse SDE and the probability-flow ODE; 1 and 2 threads give the same samples;
# evaluate tells the right law from a wrong one and refuses samples of another dimension; a
# diverging Langevin run exits 3 and counts the paths.
# Usage: tests/cli/test_cli_sample.sh PATH/TO/scorepath
set -uo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli_sample.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; }
# expect NAME STATUS -- ARGS...: the command's exit status is STATUS (its output in $work/text)
expect() {
  local name="$1" want="$2"
  shift 3
  local status=0
  timeout 300 "$cli" "$@" >"$work/text" 2>&1 || status=$?
  if [[ "$status" -eq "$want" ]]; then pass "$name"; else
    fail "$name: exit $status, expected $want: $(head -c 300 "$work/text")"; fi
}

expect "sample the ring's exact score" 0 -- sample --paths 3000 --steps 200 --out "$work/ring.csv" \
  --json "$work/ring.json"
rows=$(wc -l <"$work/ring.csv")
[[ "$rows" -eq 3000 ]] && pass "one row per path" || fail "one row per path: $rows"
if python3 - "$work/ring.json" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
f = j["component_fractions"]
se = math.sqrt(0.125 * 0.875 / 3000)
assert len(f) == 8 and all(abs(x - 0.125) < 5 * se for x in f), f
e = j["energy_distance"]
assert abs(e["value"]) < 0.01, e
assert j["non_finite_paths"] == 0 and j["score_evaluations_per_path"] == 201
PY
then pass "equal component weights and a small energy distance"; else
  fail "equal component weights and a small energy distance"; fi

expect "evaluate against the ring" 0 -- evaluate --samples "$work/ring.csv" --data ring \
  --json "$work/eval.json"
expect "evaluate against moons" 0 -- evaluate --samples "$work/ring.csv" --data moons \
  --json "$work/eval_wrong.json"
if python3 - "$work/eval.json" "$work/eval_wrong.json" <<'PY'
import json, sys
right, wrong = (json.load(open(p)) for p in sys.argv[1:3])
assert right["energy_distance"]["value"] < 0.01, right
assert wrong["energy_distance"]["value"] > 0.5, wrong
assert right["mmd_squared"]["value"] < wrong["mmd_squared"]["value"]
assert right["sliced_wasserstein"]["value"] < wrong["sliced_wasserstein"]["value"]
assert len(right["component_fractions"]) == 8
PY
then pass "the measures tell the ring from moons"; else fail "the measures tell the ring from moons"; fi

expect "sample on 1 thread" 0 -- sample --paths 300 --steps 50 --threads 1 --out "$work/t1.csv"
expect "sample on 2 threads" 0 -- sample --paths 300 --steps 50 --threads 2 --out "$work/t2.csv"
cmp -s "$work/t1.csv" "$work/t2.csv" && pass "1 and 2 threads: same samples" ||
  fail "1 and 2 threads: same samples"

# A trained, conditioned network.
expect "train a small vp network" 0 -- train --data moons --samples 2000 --hidden 16,16 \
  --batch 100 --steps 100 --condition vp --loss dsm --out "$work/vp.txt"
expect "sample it by the reverse SDE" 0 -- sample --weights "$work/vp.txt" --paths 200 \
  --steps 20 --corrector-steps 1 --out "$work/net.csv"
grep -q "network" "$work/text" && pass "the network is named" || fail "the network is named"
expect "sample it by the probability-flow ODE" 0 -- sample --weights "$work/vp.txt" \
  --sampler pf_heun --paths 200 --steps 20 --out "$work/net_pf.csv"
expect "evaluate two samples files" 0 -- evaluate --samples "$work/net.csv" \
  --reference "$work/net_pf.csv"
expect "another process than the network's is refused" 2 -- sample --weights "$work/vp.txt" \
  --process ve --paths 10
grep -q -- "--process" "$work/text" && pass "the refusal names --process" ||
  fail "the refusal names --process: $(head -c 300 "$work/text")"

# 3-D samples against 2-D ones.
awk 'BEGIN { for (i = 0; i < 50; i++) print i * 0.1, -i * 0.1, 1 }' >"$work/three.txt"
expect "samples of another dimension are refused" 2 -- evaluate --samples "$work/three.txt" \
  --reference "$work/ring.csv"
grep -q -- "--reference" "$work/text" && pass "the refusal names --reference" ||
  fail "the refusal names --reference: $(head -c 300 "$work/text")"

# Langevin with a step far too large diverges: exit 3, the paths counted, the samples written.
expect "a diverging sampler exits 3" 3 -- sample --sampler langevin --step-size 50 --steps 200 \
  --paths 100 --out "$work/diverged.csv"
grep -q "paths ended with a state that is not finite" "$work/text" && pass "the paths are counted" ||
  fail "the paths are counted: $(head -c 300 "$work/text")"
[[ -s "$work/diverged.csv" ]] && pass "the samples are written" || fail "the samples are written"

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
