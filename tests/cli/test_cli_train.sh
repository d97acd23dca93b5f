#!/usr/bin/env bash
# `scorepath train`: a run writes its weights (readable by `scorepath ssm`), a CSV and a JSON loss
# log with one row per --log-every steps, and a checkpoint; a run resumed from a mid-run
# checkpoint writes the same weights, byte for byte, as the uninterrupted run; a 5-column samples
# file trains a 5-D network; 1 and 2 threads give the same weights; a network conditioned on noise
# is written as version 3 and resumes bit for bit; a diverging run exits 3 and says at which step.
# Usage: tests/cli/test_cli_train.sh PATH/TO/scorepath
set -uo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli_train.XXXXXX")"
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

small=(train --data moons --samples 2000 --hidden 16,16 --batch 100 --log-every 50)
expect "train writes its outputs" 0 -- "${small[@]}" --steps 200 --out "$work/w.txt" \
  --log-csv "$work/log.csv" --log-json "$work/log.json" --checkpoint "$work/final.json"
for f in w.txt log.csv log.json final.json; do
  [[ -s "$work/$f" ]] && pass "$f written" || fail "$f written"
done
rows=$(($(wc -l <"$work/log.csv") - 1))
[[ "$rows" -eq 4 ]] && pass "one CSV row per 50 steps" || fail "one CSV row per 50 steps: $rows"
if python3 - "$work/log.json" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
rows = j["rows"]
assert [r["step"] for r in rows] == [50, 100, 150, 200], rows
assert all(math.isfinite(r["train_loss"]["value"]) for r in rows)
assert all(r["held_out_loss"] is not None for r in rows)
assert j["steps_taken"] == 200 and j["stopped_non_finite"] is False
assert j["settings"]["dim"] == 2 and j["settings"]["train_rows"] == 1800
PY
then pass "JSON log holds the rows and settings"; else fail "JSON log holds the rows and settings"; fi
grep -q '^dim 2$' "$work/w.txt" && grep -q '^hidden 16 16$' "$work/w.txt" &&
  pass "weights file header" || fail "weights file header"
expect "ssm reads the trained weights" 0 -- ssm --model mlp --dim 2 --weights "$work/w.txt" \
  --samples 1000

# Resumed from step 80: the same weights and final log row as the uninterrupted run.
expect "train to step 80 with a checkpoint" 0 -- "${small[@]}" --steps 80 \
  --checkpoint "$work/step80.json"
expect "train resumed to step 200" 0 -- "${small[@]}" --steps 200 --resume "$work/step80.json" \
  --out "$work/w_resumed.txt" --log-csv "$work/log_resumed.csv"
cmp -s "$work/w.txt" "$work/w_resumed.txt" && pass "resumed weights equal the uninterrupted run's" ||
  fail "resumed weights equal the uninterrupted run's"
[[ "$(tail -n 1 "$work/log.csv")" == "$(tail -n 1 "$work/log_resumed.csv")" ]] &&
  pass "resumed last log row equals the uninterrupted run's" ||
  fail "resumed last log row equals the uninterrupted run's"
expect "resume under another learning rate is refused" 2 -- "${small[@]}" --steps 200 --lr 0.01 \
  --resume "$work/step80.json"
grep -q "learning_rate" "$work/text" && pass "the refusal names the setting" ||
  fail "the refusal names the setting: $(head -c 300 "$work/text")"

# Any dimension: 5 columns from a file.
awk 'BEGIN { srand(3); for (i = 0; i < 400; i++) { for (j = 0; j < 5; j++)
       printf "%s%.6f", (j ? " " : ""), rand() * 2 - 1; printf "\n" } }' >"$work/five.txt"
expect "train on a 5-column samples file" 0 -- train --samples-file "$work/five.txt" \
  --hidden 8 --steps 30 --batch 50 --loss ism --out "$work/w5.txt"
grep -q '^dim 5$' "$work/w5.txt" && pass "5-D weights" || fail "5-D weights"
expect "ssm of the 5-D weights on their samples" 0 -- ssm --model mlp --weights "$work/w5.txt" \
  --samples-file "$work/five.txt" --json "$work/ssm5.json"
python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
sys.exit(0 if j["model"]["dim"] == 5 and j["settings"]["samples"] == 400 else 1)' \
  "$work/ssm5.json" && pass "ssm of 5-D weights: 400 samples of dimension 5" ||
  fail "ssm of 5-D weights: 400 samples of dimension 5"

# Thread count: the same weights.
expect "train on 1 thread" 0 -- "${small[@]}" --steps 40 --threads 1 --out "$work/t1.txt"
expect "train on 2 threads" 0 -- "${small[@]}" --steps 40 --threads 2 --out "$work/t2.txt"
cmp -s "$work/t1.txt" "$work/t2.txt" && pass "1 and 2 threads: same weights" ||
  fail "1 and 2 threads: same weights"

# Conditioned on noise: a version 3 weights file naming its conditioning; a resumed conditioned
# run equals the uninterrupted one; a checkpoint of another conditioning is refused.
cond=("${small[@]}" --condition vp --beta-max 10 --loss dsm)
expect "train a vp-conditioned network" 0 -- "${cond[@]}" --steps 120 --out "$work/wc.txt"
head -n 1 "$work/wc.txt" | grep -q '^scorepath-mlp 3$' &&
  grep -q '^conditioning vp 0.10000000000000001 10 0.001$' "$work/wc.txt" &&
  pass "conditioned weights: version 3 with the conditioning line" ||
  fail "conditioned weights: version 3 with the conditioning line"
expect "conditioned run to step 50" 0 -- "${cond[@]}" --steps 50 --checkpoint "$work/c50.json"
expect "conditioned run resumed" 0 -- "${cond[@]}" --steps 120 --resume "$work/c50.json" \
  --out "$work/wc_resumed.txt"
cmp -s "$work/wc.txt" "$work/wc_resumed.txt" && pass "resumed conditioned weights equal" ||
  fail "resumed conditioned weights equal"
expect "resume under another conditioning is refused" 2 -- "${small[@]}" --condition ve \
  --loss dsm --steps 120 --resume "$work/c50.json"
grep -q "conditioning" "$work/text" && pass "the refusal names the conditioning" ||
  fail "the refusal names the conditioning: $(head -c 300 "$work/text")"
expect "train on noise levels with ssm-vr" 0 -- "${small[@]}" --condition levels \
  --levels 1,0.5,0.25 --steps 40 --out "$work/wl.txt"
grep -q '^conditioning levels 1 0.5 0.25$' "$work/wl.txt" && pass "levels recorded" ||
  fail "levels recorded"
expect "ssm refuses a conditioned weights file" 2 -- ssm --model mlp --dim 2 \
  --weights "$work/wc.txt" --samples 100
grep -q "conditioning" "$work/text" && pass "the refusal names the conditioning" ||
  fail "the ssm refusal names the conditioning: $(head -c 300 "$work/text")"

# Divergence: exit 3, the step named, the last finite weights written.
expect "a diverging run exits 3" 3 -- "${small[@]}" --steps 50 --lr 1e30 --loss ism \
  --out "$work/diverged.txt"
grep -q "training stopped at step" "$work/text" && pass "the step is named" ||
  fail "the step is named: $(head -c 300 "$work/text")"
grep -q '^end ' "$work/diverged.txt" && pass "finite weights written" || fail "finite weights written"

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
