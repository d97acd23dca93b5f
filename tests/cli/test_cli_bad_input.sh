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
# Version 2 weights files: one as written (dim 2, one affine layer), and edits and cuts of it.
v2_head='scorepath-mlp 2\ndim 2\nhidden\nactivation tanh\nparameters 6\n'
v2_end='end 6 fnv1a64 3c05c0bf616b91de\n'
printf "$v2_head"'-2.5 0.5 1.25 -0.75 0.125 -3\n'"$v2_end" > "$work/v2.txt"
printf "$v2_head"'-2.5 0.5 1.25 -0.75 0.125  3\n'"$v2_end" > "$work/v2_sign_blanked.txt"
printf "$v2_head"'-2.5 0.5 1.25 -0.75 0.125 -3\n' > "$work/v2_no_end.txt"
printf "$v2_head"'-2.5 0.5 1.25 -0.75 0.12\n' > "$work/v2_cut.txt"
printf "$v2_head"'-2.5 0.5 1.25 -0.75 0.125 -3\nend 6 fnv1a64 3c05c0bf616b\n' > "$work/v2_cut_end.txt"
printf '0.1,,0.2\n' > "$work/double_comma.txt"
printf '0.1 0.2,\n' > "$work/trailing_comma.txt"
printf '1e-400 0.5\n0.1 x\n' > "$work/underflow_then_bad.txt"
printf '1e39 0.5\n' > "$work/float_overflow.txt"
mkdir -p "$work/a_directory"

# Every subcommand: unknown options and option values of the wrong type.
for cmd in info simulate ssm variance train sample evaluate demo; do
  row "$cmd unknown option" "--frobnicate" -- "$cmd" --frobnicate
done
for cmd in simulate ssm variance demo; do
  row "$cmd threads not a number" "--threads" -- "$cmd" --threads many
  row "$cmd negative threads" "'--threads' = -3" -- "$cmd" --threads -3
  row "$cmd seed negative" "--seed" -- "$cmd" --seed -1
done
for cmd in simulate ssm demo; do
  row "$cmd unknown backend" "'--backend' = tpu" -- "$cmd" --backend tpu
done
row "unknown subcommand" "see --help" -- frobnicate
row "no subcommand" "subcommand" --

# simulate
row "simulate zero paths" "'--paths' = 0" -- simulate --paths 0 "${files[@]}"
row "simulate negative paths" "--paths" -- simulate --paths -5 "${files[@]}"
row "simulate zero steps" "'--steps' = 0" -- simulate --steps 0 "${files[@]}"
row "simulate unknown sde" "--sde" -- simulate --sde heston "${files[@]}"
row "simulate dimension not compiled" "'--dim' = 3" -- simulate --sde ou --dim 3 "${files[@]}"
row "simulate NaN x0" "x0" -- simulate --x0 nan "${files[@]}"
row "simulate x0 of wrong length" "x0" -- simulate --sde ou --dim 8 --x0 1 2 3 "${files[@]}"
row "simulate negative sigma" "'--sigma' = -0.2:" -- simulate --sigma -0.2 "${files[@]}"
row "simulate infinite mu" "'--mu'" -- simulate --mu inf "${files[@]}"
row "simulate end before start" "'--t1' = 0" -- simulate --t0 1 --t1 0 "${files[@]}"
row "simulate NaN t1" "'--t1' = nan" -- simulate --t1 nan "${files[@]}"
row "simulate dt not dividing" "'--dt'" -- simulate --dt 0.3 "${files[@]}"
row "simulate dt and steps" "excludes" -- simulate --dt 0.1 --steps 4 "${files[@]}"
row "simulate save-every past steps" "save" -- simulate --steps 8 --save-every 9 "${files[@]}"
row "simulate steps overflow Philox" "'--steps'" -- simulate --steps 9223372036854775807 \
  --paths 1 "${files[@]}"
row "simulate absurd saved states" "--saved-csv" -- simulate --paths 1000000000 --steps 1000 \
  --save-every 1 --saved-csv "$out/saved.csv"
row "simulate bad precision" "--precision" -- simulate --precision half "${files[@]}"
row "simulate vp beta order" "'--beta-max' = 1" -- simulate --sde vp --beta-min 5 --beta-max 1 \
  "${files[@]}"

# ssm
ssm_out=(--json "$out/ssm.json")
row "ssm zero probes" "'--probes'" -- ssm --probes 0 "${ssm_out[@]}"
row "ssm zero samples" "'--samples' = 0" -- ssm --samples 0 "${ssm_out[@]}"
row "ssm unknown model" "--model" -- ssm --model unicorn "${ssm_out[@]}"
row "ssm dimension not compiled" "'--dim' = 3" -- ssm --model gaussian --dim 3 "${ssm_out[@]}"
row "ssm unknown law" "'--law'" -- ssm --law cauchy "${ssm_out[@]}"
row "ssm unknown activation" "activation" -- ssm --model mlp --activation relu "${ssm_out[@]}"
row "ssm zero hidden width" "hidden" -- ssm --model mlp --hidden 8 0 "${ssm_out[@]}"
row "ssm missing weights file" "'--weights' = $work/none.txt" -- ssm --model mlp --weights "$work/none.txt" \
  "${ssm_out[@]}"
row "ssm truncated weights file" "parameters" -- ssm --model mlp \
  --weights "$work/truncated.txt" "${ssm_out[@]}"
row "ssm garbage weights file" "line 1" -- ssm --model mlp --weights "$work/garbage.txt" \
  "${ssm_out[@]}"
row "ssm missing samples file" "'--samples-file' = $work/none.txt" -- ssm --samples-file "$work/none.txt" "${ssm_out[@]}"
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

# Option values are read exactly: decimal integers within range, no empty or missing values,
# messages naming the option and showing the text typed.
row "simulate seed past 2^64" "--seed: '99999999999999999999999' is out of range" -- simulate \
  --seed 99999999999999999999999 "${files[@]}"
row "simulate paths hexadecimal" "--paths: '0x10'" -- simulate --paths 0x10 "${files[@]}"
row "simulate save-every read in decimal" "'--save-every' = 10" -- simulate --steps 9 \
  --save-every 010 "${files[@]}"
row "simulate paths= takes no next option" "--paths: the value is missing" -- simulate --paths= \
  --steps 4 "${files[@]}"
row "simulate empty mu" "--mu: the value is empty" -- simulate --mu "" "${files[@]}"
row "simulate empty x0" "--x0: the value is empty" -- simulate --x0 "" "${files[@]}"
row "simulate empty t1" "--t1: the value is missing" -- simulate --t1= "${files[@]}"
row "simulate x0 beyond float" "'--x0' = 1e39: is out of range for float" -- simulate --x0 1e39 \
  "${files[@]}"
row "simulate sigma beyond float" "'--sigma' = -1e39: is out of range for float" -- simulate \
  --sigma -1e39 "${files[@]}"
row "simulate x0 item named" "'--x0' = nan" -- simulate --sde ou --dim 8 --x0 1 2 3 4 5 6 nan 8 \
  "${files[@]}"
row "simulate threads past int" "--threads: '99999999999' is out of range" -- simulate \
  --threads 99999999999 "${files[@]}"
row "ssm empty weights" "--weights: the value is empty" -- ssm --model mlp --weights "" \
  "${ssm_out[@]}"
row "ssm empty samples file" "--samples-file: the value is empty" -- ssm --samples-file "" \
  "${ssm_out[@]}"
row "ssm empty hidden item" "--hidden: '4,,4' has an empty item" -- ssm --model mlp \
  --hidden 4,,4 "${ssm_out[@]}"
row "ssm probes past 2^32" "--probes: '4294967296' is out of range" -- ssm --probes 4294967296 \
  "${ssm_out[@]}"
row "variance empty probes item" "--probes: '1,,2' has an empty item" -- variance --probes 1,,2 \
  "${var_out[@]}"
row "variance trailing laws comma" "--laws: 'sphere,' has an empty item" -- variance \
  --laws sphere, "${var_out[@]}"
row "variance negative threads" "'--threads' = -1" -- variance --threads -1 "${var_out[@]}"

# Input files: directories and empty paths refused naming the option; samples files read field by
# field, naming the file, line and column.
row "ssm weights directory" "'--weights' = $work/a_directory: must name a weights file" -- ssm \
  --model mlp --weights "$work/a_directory" "${ssm_out[@]}"
row "variance weights directory" "'--weights' = $work/a_directory" -- variance --model mlp \
  --weights "$work/a_directory" "${var_out[@]}"
row "ssm samples directory" "'--samples-file' = $work/a_directory: must name a samples file" \
  -- ssm --samples-file "$work/a_directory" "${ssm_out[@]}"
row "variance samples directory" "'--samples-file' = $work/a_directory" -- variance \
  --samples-file "$work/a_directory" "${var_out[@]}"
row "ssm samples double comma" "double_comma.txt line 1 column 5' = ','" -- ssm \
  --samples-file "$work/double_comma.txt" "${ssm_out[@]}"
row "ssm samples trailing comma" "trailing_comma.txt line 1 column 8' = ','" -- ssm \
  --samples-file "$work/trailing_comma.txt" "${ssm_out[@]}"
row "ssm samples underflow is zero" "underflow_then_bad.txt line 2 column 5' = x" -- ssm \
  --samples-file "$work/underflow_then_bad.txt" "${ssm_out[@]}"
row "ssm samples beyond float" "float_overflow.txt line 1 column 1' = 1e39: is out of range for float" \
  -- ssm --samples-file "$work/float_overflow.txt" "${ssm_out[@]}"
row "variance samples beyond float" "line 1 column 1' = 1e39" -- variance --precision float \
  --samples-file "$work/float_overflow.txt" "${var_out[@]}"

# Weights files of version 2: a cut or an edit is refused.
row "ssm weights sign blanked" "checksum" -- ssm --model mlp --weights "$work/v2_sign_blanked.txt" \
  "${ssm_out[@]}"
row "ssm weights without end line" "'end' line is missing" -- ssm --model mlp \
  --weights "$work/v2_no_end.txt" "${ssm_out[@]}"
row "ssm weights cut in a number" "parameters" -- ssm --model mlp --weights "$work/v2_cut.txt" \
  "${ssm_out[@]}"
row "ssm weights cut in the end line" "checksum" -- ssm --model mlp \
  --weights "$work/v2_cut_end.txt" "${ssm_out[@]}"
row "ssm weights v2 with bad samples" "line 1 column 5" -- ssm --model mlp \
  --weights "$work/v2.txt" --samples-file "$work/double_comma.txt" "${ssm_out[@]}"

# Buffers beyond the memory this process may have (ulimit -v): a typed error naming the option,
# exit 1, nothing written. Skipped where the tool cannot start under the limit (sanitizers).
# mem_row NAME PATTERN KIB -- ARGS...
mem_row() {
  local name="$1" pattern="$2" kib="$3"
  shift 4
  rm -rf "$out" && mkdir -p "$out"
  local text status=0
  text="$(ulimit -v "$kib"; "$cli" "$@" 2>&1)" || status=$?
  if [[ "$status" -ne 1 ]]; then
    failures=$((failures + 1)); echo "FAIL $name: exit $status, expected 1: ${text:0:300}"
  elif ! grep -qF -- "$pattern" <<<"$text"; then
    failures=$((failures + 1)); echo "FAIL $name: message lacks \"$pattern\": ${text:0:300}"
  elif [[ -n "$(ls -A "$out")" ]]; then
    failures=$((failures + 1)); echo "FAIL $name: left files behind: $(ls "$out")"
  else
    passes=$((passes + 1)); echo "ok   $name"
  fi
}
if (ulimit -v 150000; "$cli" info >/dev/null 2>&1); then
  mem_row "ssm samples beyond the limit" "--samples: " 1500000 -- ssm --samples 100000000 \
    "${ssm_out[@]}"
  mem_row "variance samples beyond the limit" "--samples: " 1500000 -- variance \
    --samples 100000000 "${var_out[@]}"
  mem_row "ssm hidden beyond the limit" "--hidden: " 150000 -- ssm --model mlp \
    --hidden 4000,4000 --samples 10 "${ssm_out[@]}"
else
  echo "skip memory-limit rows: the tool does not start under ulimit -v"
fi

# ---- train: every output under $out, none may appear -----------------------------------------
train_files=(--out "$out/w.txt" --log-csv "$out/log.csv" --log-json "$out/log.json"
             --checkpoint "$out/ck.json")
printf '{"format": "something else"}\n' > "$work/not_a_checkpoint.json"
row "train unknown data set" "'--data' = spiral" -- train --data spiral "${train_files[@]}"
row "train moons in 3-D" "'--dim' = 3" -- train --data moons --dim 3 "${train_files[@]}"
row "train one sample" "--samples" -- train --samples 1 "${train_files[@]}"
row "train batch beyond the data" "'--batch' = 500" -- train --samples 100 --batch 500 \
  "${train_files[@]}"
row "train zero steps" "'--steps' = 0" -- train --steps 0 "${train_files[@]}"
row "train unknown loss" "'--loss' = sm" -- train --loss sm "${train_files[@]}"
row "train zero probes" "'--probes' = 0" -- train --probes 0 "${train_files[@]}"
row "train probes beyond 1024" "'--probes' = 2000" -- train --probes 2000 "${train_files[@]}"
row "train unknown law" "'--law' = cauchy" -- train --law cauchy "${train_files[@]}"
row "train learning rate nan" "'--lr' = nan" -- train --lr nan "${train_files[@]}"
row "train negative learning rate" "'--lr' = -0.1" -- train --lr -0.1 "${train_files[@]}"
row "train ema of one" "'--ema' = 1" -- train --ema 1 "${train_files[@]}"
row "train negative clip" "'--clip' = -1" -- train --clip -1 "${train_files[@]}"
row "train zero noise scale" "'--noise-scale' = 0" -- train --loss dsm --noise-scale 0 \
  "${train_files[@]}"
row "train held-out beyond a half" "'--held-out' = 0.9" -- train --held-out 0.9 "${train_files[@]}"
row "train unknown backend" "'--backend' = gpu" -- train --backend gpu "${train_files[@]}"
row "train zero hidden width" "--hidden" -- train --hidden 64,0 "${train_files[@]}"
row "train unknown activation" "'--activation' = relu" -- train --activation relu \
  "${train_files[@]}"
row "train samples file with inf" "inf.txt" -- train --samples-file "$work/inf.txt" \
  "${train_files[@]}"
row "train ragged samples file" "ragged.txt" -- train --samples-file "$work/ragged.txt" \
  "${train_files[@]}"
row "train samples file missing" "--samples-file" -- train --samples-file "$work/none.txt" \
  "${train_files[@]}"
row "train resume missing" "--resume" -- train --resume "$work/none.json" "${train_files[@]}"
row "train resume not a checkpoint" "is not a scorepath-train-checkpoint" -- train \
  --resume "$work/not_a_checkpoint.json" "${train_files[@]}"
row "train resume a weights file" "--resume" -- train --resume "$work/v2.txt" "${train_files[@]}"
row "train unknown conditioning" "'--condition' = sde" -- train --condition sde "${train_files[@]}"
row "train levels without their list" "'--condition' = levels" -- train --condition levels \
  "${train_files[@]}"
row "train levels increasing" "'--levels' = 2" -- train --condition levels --levels 1,2 \
  "${train_files[@]}"
row "train levels without levels conditioning" "'--levels' = 1,0.5" -- train --levels 1,0.5 \
  "${train_files[@]}"
row "train vp zero beta-max" "'--beta-max' = 0" -- train --condition vp --beta-min 0 \
  --beta-max 0 "${train_files[@]}"
row "train ve sigma-max below sigma-min" "'--sigma-max' = 0.001" -- train --condition ve \
  --sigma-max 0.001 "${train_files[@]}"
row "train t-min of one" "'--t-min' = 1" -- train --condition ve --t-min 1 "${train_files[@]}"
row "train checkpoint interval without a file" "--checkpoint-every" -- train \
  --checkpoint-every 10 --out "$out/w.txt"
row "train output in a missing directory" "--out" -- train --steps 1 --out "$out/no/w.txt"
printf '0.1 0.2\n0.3 0.4\n0.5 0.6\n' > "$work/three_rows.txt"
row "train output onto the samples file" "--log-csv" -- train --steps 1 --batch 1 \
  --samples-file "$work/three_rows.txt" --log-csv "$work/three_rows.txt"

# ---- sample and evaluate: no output may appear --------------------------------------------------
sample_files=(--out "$out/s.csv" --json "$out/s.json")
row "sample unknown sampler" "'--sampler' = euler" -- sample --sampler euler "${sample_files[@]}"
row "sample zero paths" "'--paths' = 0" -- sample --paths 0 "${sample_files[@]}"
row "sample unknown backend" "'--backend' = tpu" -- sample --backend tpu "${sample_files[@]}"
row "sample zero steps" "'--steps' = 0" -- sample --steps 0 "${sample_files[@]}"
row "sample t-end of one" "'--t-end' = 1" -- sample --t-end 1 "${sample_files[@]}"
row "sample negative step size" "'--step-size' = -0.1" -- sample --sampler langevin \
  --step-size -0.1 "${sample_files[@]}"
row "sample annealed without levels" "--levels" -- sample --sampler annealed_langevin \
  "${sample_files[@]}"
row "sample levels increasing" "'--levels' = 2" -- sample --sampler annealed_langevin \
  --process levels --levels 1,2 "${sample_files[@]}"
row "sample reverse SDE on levels" "'--process' = levels" -- sample --process levels \
  --levels 1,0.5 "${sample_files[@]}"
row "sample unknown exact law" "'--exact' = moons" -- sample --exact moons "${sample_files[@]}"
row "sample weights and exact" "--exact" -- sample --exact ring --weights "$work/v2.txt" \
  "${sample_files[@]}"
row "sample weights missing" "--weights" -- sample --weights "$work/none.txt" "${sample_files[@]}"
row "sample weights garbage" "garbage.txt" -- sample --weights "$work/garbage.txt" \
  "${sample_files[@]}"
row "sample plain Langevin needs no process" "'--process' = sde" -- sample --process sde \
  "${sample_files[@]}"
row "sample zero snr" "'--snr' = 0" -- sample --corrector-steps 1 --snr 0 "${sample_files[@]}"
row "sample reverse SDE with an unconditioned network" "'--weights' = unconditioned network" -- \
  sample --weights "$work/v2.txt" "${sample_files[@]}"
row "sample output in a missing directory" "--out" -- sample --paths 10 --steps 2 \
  --out "$out/no/s.csv"
row "evaluate without samples" "--samples" -- evaluate --data ring --json "$out/e.json"
row "evaluate without a reference" "--reference" -- evaluate --samples "$work/v2.txt" \
  --json "$out/e.json"
row "evaluate ragged samples" "ragged.txt" -- evaluate --samples "$work/ragged.txt" --data ring \
  --json "$out/e.json"
row "evaluate one row" "inf.txt" -- evaluate --samples "$work/inf.txt" --data ring \
  --json "$out/e.json"
printf '0.1 0.2\n0.3 0.4\n' > "$work/two_rows.txt"
printf '0.1 0.2 0.3\n0.3 0.4 0.5\n' > "$work/two_rows_3d.txt"
row "evaluate unknown data set" "'--data' = spiral" -- evaluate --samples "$work/two_rows.txt" \
  --data spiral --json "$out/e.json"
row "evaluate moons in 3-D" "'--samples' = 3: must be 2" -- evaluate --samples "$work/two_rows_3d.txt" \
  --data moons --json "$out/e.json"
row "evaluate zero projections" "'--projections' = 0" -- evaluate --samples "$work/two_rows.txt" \
  --data ring --projections 0 --json "$out/e.json"
row "evaluate negative bandwidth" "'--bandwidth' = -1" -- evaluate --samples "$work/two_rows.txt" \
  --data ring --bandwidth -1 --json "$out/e.json"
row "evaluate one row kept" "'--rows' = 1" -- evaluate --samples "$work/two_rows.txt" --data ring \
  --rows 1 --json "$out/e.json"

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
