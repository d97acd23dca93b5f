#!/usr/bin/env bash
# The bad-input matrix of the scorepath command: every subcommand × the bad arguments that apply.
# Each row must exit with status 2, print a message naming the option (and the value where the
# row gives one), and leave none of the output files it named behind.
# Usage: tests/cli/test_cli_bad_input.sh PATH/TO/scorepath
set -euo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli_bad.XXXXXX")"
trap 'rm -rf "$work"' EXIT
out="$work/out"  # every row names its output files under here; none may appear
failures=0
passes=0

# row NAME PATTERN -- ARGS...
row() {
  local name="$1" pattern="$2"
  shift 3
  rm -rf "$out" && mkdir -p "$out"
  local text status=0
  text="$("$cli" "$@" 2>&1)" || status=$?
  if [[ "$status" -ne 2 ]]; then
    failures=$((failures + 1)); echo "FAIL $name: exit $status, expected 2: ${text:0:300}"
  elif ! grep -qF -- "$pattern" <<<"$text"; then
    failures=$((failures + 1)); echo "FAIL $name: message lacks \"$pattern\": ${text:0:300}"
  elif [[ -n "$(ls -A "$out")" ]]; then
    failures=$((failures + 1)); echo "FAIL $name: left files behind: $(ls "$out")"
  else
    passes=$((passes + 1)); echo "ok   $name"
  fi
}

printf 'scorepath-mlp 1\ndim 2\nhidden 3\nactivation tanh\nparameters 17\n1 2 3\n' > "$work/truncated.txt"
printf 'not a weights file\n' > "$work/garbage.txt"
printf '0.1 0.2\n0.3\n' > "$work/ragged.txt"
printf '0.1 inf\n' > "$work/inf.txt"
files=(--json "$out/run.json" --csv "$out/stats.csv" --states-csv "$out/states.csv")

# Every subcommand: unknown options and option values of the wrong type.
for cmd in info simulate ssm variance demo; do
  row "$cmd unknown option" "--frobnicate" -- "$cmd" --frobnicate
done
for cmd in simulate ssm variance demo; do
  row "$cmd threads not a number" "--threads" -- "$cmd" --threads many
  row "$cmd negative threads" "'threads' = -3" -- "$cmd" --threads -3
  row "$cmd seed negative" "--seed" -- "$cmd" --seed -1
done
for cmd in simulate ssm demo; do
  row "$cmd unknown backend" "'backend' = tpu" -- "$cmd" --backend tpu
done
row "unknown subcommand" "see --help" -- frobnicate
row "no subcommand" "subcommand" --

# simulate
row "simulate zero paths" "'paths' = 0" -- simulate --paths 0 "${files[@]}"
row "simulate negative paths" "--paths" -- simulate --paths -5 "${files[@]}"
row "simulate zero steps" "'steps' = 0" -- simulate --steps 0 "${files[@]}"
row "simulate unknown sde" "--sde" -- simulate --sde heston "${files[@]}"
row "simulate dimension not compiled" "'--dim' = 3" -- simulate --sde ou --dim 3 "${files[@]}"
row "simulate NaN x0" "x0" -- simulate --x0 nan "${files[@]}"
row "simulate x0 of wrong length" "x0" -- simulate --sde ou --dim 8 --x0 1 2 3 "${files[@]}"
row "simulate negative sigma" "'sigma' = -0.2" -- simulate --sigma -0.2 "${files[@]}"
row "simulate infinite mu" "'mu'" -- simulate --mu inf "${files[@]}"
row "simulate end before start" "'t1'" -- simulate --t0 1 --t1 0 "${files[@]}"
row "simulate NaN t1" "'t1'" -- simulate --t1 nan "${files[@]}"
row "simulate dt not dividing" "'--dt'" -- simulate --dt 0.3 "${files[@]}"
row "simulate dt and steps" "excludes" -- simulate --dt 0.1 --steps 4 "${files[@]}"
row "simulate save-every past steps" "save" -- simulate --steps 8 --save-every 9 "${files[@]}"
row "simulate steps overflow Philox" "'steps'" -- simulate --steps 9223372036854775807 \
  --paths 1 "${files[@]}"
row "simulate absurd saved states" "--saved-csv" -- simulate --paths 1000000000 --steps 1000 \
  --save-every 1 --saved-csv "$out/saved.csv"
row "simulate bad precision" "--precision" -- simulate --precision half "${files[@]}"
row "simulate vp beta order" "'beta_max'" -- simulate --sde vp --beta-min 5 --beta-max 1 \
  "${files[@]}"

# ssm
ssm_out=(--json "$out/ssm.json")
row "ssm zero probes" "'--probes'" -- ssm --probes 0 "${ssm_out[@]}"
row "ssm zero samples" "samples" -- ssm --samples 0 "${ssm_out[@]}"
row "ssm unknown model" "--model" -- ssm --model unicorn "${ssm_out[@]}"
row "ssm dimension not compiled" "'--dim' = 3" -- ssm --model gmm --dim 3 "${ssm_out[@]}"
row "ssm unknown law" "'--law'" -- ssm --law cauchy "${ssm_out[@]}"
row "ssm unknown activation" "activation" -- ssm --model mlp --activation relu "${ssm_out[@]}"
row "ssm zero hidden width" "hidden" -- ssm --model mlp --hidden 8 0 "${ssm_out[@]}"
row "ssm missing weights file" "mlp file" -- ssm --model mlp --weights "$work/none.txt" \
  "${ssm_out[@]}"
row "ssm truncated weights file" "parameters" -- ssm --model mlp \
  --weights "$work/truncated.txt" "${ssm_out[@]}"
row "ssm garbage weights file" "line 1" -- ssm --model mlp --weights "$work/garbage.txt" \
  "${ssm_out[@]}"
row "ssm missing samples file" "samples" -- ssm --samples-file "$work/none.txt" "${ssm_out[@]}"
row "ssm ragged samples file" "line 2" -- ssm --samples-file "$work/ragged.txt" "${ssm_out[@]}"
row "ssm infinite sample" "finite" -- ssm --samples-file "$work/inf.txt" "${ssm_out[@]}"
row "ssm endless samples line" "line 1" -- ssm --samples-file /dev/zero "${ssm_out[@]}"

# variance
var_out=(--json "$out/variance.json")
row "variance one replicate" "'--replicates'" -- variance --replicates 1 "${var_out[@]}"
row "variance negative target" "'--target'" -- variance --target -1 "${var_out[@]}"
row "variance NaN target" "'--target'" -- variance --target nan "${var_out[@]}"
row "variance zero probes" "'--probes'" -- variance --probes 0 "${var_out[@]}"
row "variance unknown law" "'--laws'" -- variance --laws gaussian,bogus "${var_out[@]}"

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
