#!/usr/bin/env bash
# The scorepath command's outputs and exit statuses: failed writes (to files and to standard
# output) fail the command; outputs are replaced whole or not at all, also when the file size
# limit is reached or a signal arrives mid-write; output paths are checked before the run (empty,
# missing directory, a directory, an input's file, another output's file); one path or sample
# prints n/a for a standard error; non-finite results exit 3; control bytes in messages are
# escaped. Every case runs under a time limit: a hang is a failure.
# Usage: tests/cli/test_cli_outputs.sh PATH/TO/scorepath
set -uo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli_outputs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
out="$work/out"  # the directory each row's outputs go to
limit=60         # seconds any one run may take
failures=0
passes=0

pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; }

# run_cli ARGS...: runs the command under the time limit; sets $status, $stdout and $stderr.
run_cli() {
  status=0
  timeout "$limit" "$cli" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
  stdout="$(cat "$work/stdout")"
  stderr="$(cat "$work/stderr")"
}

# check NAME WANT_STATUS PATTERN...: the last run's status, and each PATTERN (fixed text) in its
# stderr.
check() {
  local name="$1" want="$2"
  shift 2
  if [[ "$status" -ne "$want" ]]; then
    fail "$name: exit $status, expected $want: ${stderr:0:300}"
    return 1
  fi
  local pattern
  for pattern in "$@"; do
    if ! grep -qF -- "$pattern" <<<"$stderr"; then
      fail "$name: stderr lacks \"$pattern\": ${stderr:0:300}"
      return 1
    fi
  done
  return 0
}

# row NAME WANT_STATUS PATTERN... -- ARGS...: runs ARGS in an empty $out; checks the status and
# the patterns; with WANT_STATUS 2, also that $out stays empty.
row() {
  local name="$1" want="$2"
  shift 2
  local patterns=()
  while [[ "$1" != "--" ]]; do patterns+=("$1"); shift; done
  shift
  rm -rf "$out" && mkdir -p "$out"
  run_cli "$@"
  check "$name" "$want" "${patterns[@]}" || return 0
  if [[ "$want" -eq 2 && -n "$(ls -A "$out")" ]]; then
    fail "$name: left files behind: $(ls -A "$out")"
  else
    pass "$name"
  fi
}

# only_file NAME FILE CONTENT: $out holds FILE alone (no temporary left), with CONTENT's bytes,
# or holds nothing when CONTENT is "-".
only_file() {
  local name="$1" file="$2" content="$3"
  local listing
  listing="$(ls -A "$out")"
  if [[ "$content" == "-" ]]; then
    if [[ -n "$listing" ]]; then fail "$name: left files: $listing"; return; fi
  elif [[ "$listing" != "$(basename "$file")" ]]; then
    fail "$name: expected only $(basename "$file"), found: $listing"; return
  elif ! cmp -s "$file" "$content"; then
    fail "$name: $(basename "$file") is not the previous complete file ($(wc -c <"$file") bytes)"
    return
  fi
  pass "$name"
}

small=(--paths 1000 --steps 8)

# ---- a write that fails is a failure ---------------------------------------------------------
row "simulate --csv to a full device" 1 "--csv" "No space left" -- simulate "${small[@]}" \
  --csv /dev/full
row "simulate --json to a full device" 1 "--json" "No space left" -- simulate "${small[@]}" \
  --json /dev/full
row "simulate --states-csv to a full device" 1 "--states-csv" -- simulate "${small[@]}" \
  --states-csv /dev/full
row "simulate --saved-csv to a full device" 1 "--saved-csv" -- simulate "${small[@]}" \
  --save-every 4 --saved-csv /dev/full
row "ssm --json to a full device" 1 "--json" -- ssm --samples 1000 --json /dev/full
row "variance --json to a full device" 1 "--json" -- variance --samples 100 --replicates 4 \
  --json /dev/full
row "simulate --json to /proc/version" 2 "--json" -- simulate "${small[@]}" --json /proc/version

# standard output on a full device
for args in "info" "--help" "simulate --help" "--version" "simulate --paths 1000 --steps 8" \
            "ssm --samples 1000" "variance --samples 100 --replicates 4"; do
  status=0
  # shellcheck disable=SC2086
  stderr="$(timeout "$limit" "$cli" $args 2>&1 >/dev/full)" || status=$?
  if check "$args > /dev/full" 1 "standard output"; then pass "$args > /dev/full"; fi
done

# ---- the file size limit reached mid-write: the destination keeps its previous contents -------
rm -rf "$out" && mkdir -p "$out"
timeout "$limit" "$cli" simulate --paths 20 --steps 1 --states-csv "$out/states.csv" >/dev/null
cp "$out/states.csv" "$work/states.previous"
status=0
(ulimit -f 64; trap '' XFSZ; timeout "$limit" "$cli" simulate --paths 100000 --steps 1 \
  --states-csv "$out/states.csv" >/dev/null 2>"$work/stderr") || status=$?
stderr="$(cat "$work/stderr")"
if check "file size limit on --states-csv" 1 "--states-csv" "File too large"; then
  only_file "file size limit on --states-csv keeps the previous file" "$out/states.csv" \
    "$work/states.previous"
fi
rm -rf "$out" && mkdir -p "$out"
status=0
(ulimit -f 64; trap '' XFSZ; timeout "$limit" "$cli" simulate --paths 10000 --steps 8 \
  --save-every 1 --saved-csv "$out/saved.csv" >/dev/null 2>"$work/stderr") || status=$?
stderr="$(cat "$work/stderr")"
if check "file size limit on a new --saved-csv" 1 "--saved-csv"; then
  only_file "file size limit on a new --saved-csv leaves nothing" "$out/saved.csv" -
fi

# ---- a signal mid-write: the previous file, no temporary, status 128 + signal -----------------
# timeout passes the signal on to the command and ends by the signal the command ended by
for sig in TERM INT; do
  want=$((128 + $(kill -l "$sig")))
  rm -rf "$out" && mkdir -p "$out"
  timeout "$limit" "$cli" simulate --paths 20 --steps 1 --states-csv "$out/states.csv" >/dev/null
  cp "$out/states.csv" "$work/states.previous"
  touch -d '-2 seconds' "$work/marker" "$out/states.csv"
  timeout "$limit" "$cli" simulate --sde bm --paths 4000000 --steps 1 \
    --states-csv "$out/states.csv" >/dev/null 2>"$work/stderr" &
  pid=$!
  # wait for the write to start: a file in $out newer than the marker
  for ((i = 0; i < limit * 100; ++i)); do
    [[ -n "$(find "$out" -newer "$work/marker" -type f 2>/dev/null)" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  sleep 0.05
  kill -s "$sig" "$pid" 2>/dev/null
  status=0
  wait "$pid" || status=$?
  stderr="$(cat "$work/stderr")"
  if check "SIG$sig while writing --states-csv" "$want"; then
    only_file "SIG$sig while writing --states-csv keeps the previous file" "$out/states.csv" \
      "$work/states.previous"
  fi
done

# ---- output paths checked before the run ------------------------------------------------------
big=(--paths 100000000 --steps 1000)  # minutes of work: the checks must come first
row "simulate --json in a missing directory" 2 "--json" "/nonexistent/run.json" -- simulate \
  "${big[@]}" --csv "$out/stats.csv" --json /nonexistent/run.json
row "simulate --csv in a missing directory" 2 "--csv" -- simulate "${big[@]}" \
  --csv /nonexistent/stats.csv --states-csv "$out/states.csv"
touch "$work/plain_file"
row "simulate --states-csv under a file" 2 "--states-csv" -- simulate "${big[@]}" \
  --states-csv "$work/plain_file/states.csv"
row "simulate --saved-csv in a missing directory" 2 "--saved-csv" -- simulate "${big[@]}" \
  --save-every 1000 --saved-csv /nonexistent/saved.csv
row "simulate --json naming a directory" 2 "--json" "directory" -- simulate "${big[@]}" \
  --json "$work"
row "ssm --json in a missing directory" 2 "--json" -- ssm --samples 100000000 \
  --json /nonexistent/ssm.json
row "variance --json in a missing directory" 2 "--json" -- variance --samples 1000000 \
  --json /nonexistent/variance.json

for option in --csv --json --states-csv --saved-csv; do
  row "simulate $option empty" 2 "$option" -- simulate "${small[@]}" "$option" ""
done
row "ssm --json empty" 2 "--json" -- ssm --samples 1000 --json ""
row "variance --json empty" 2 "--json" -- variance --samples 100 --json ""

# an output on an input's file or on another output's file
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
printf '0.5 1.0\n1.5 -2\n0.25 0.75\n' >"$work/samples.txt"
cp "$work/net.txt" "$work/net.copy"
cp "$work/samples.txt" "$work/samples.copy"
ln -s "$work/samples.txt" "$work/samples.link"
# unchanged NAME FILE COPY
unchanged() { if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: the input was overwritten"; fi; }
row "ssm --json on --weights" 2 "--json" "--weights" -- ssm --model mlp --weights "$work/net.txt" \
  --samples 100 --json "$work/net.txt"
unchanged "ssm --json on --weights leaves the weights" "$work/net.txt" "$work/net.copy"
row "ssm --json on --samples-file" 2 "--json" "--samples-file" -- ssm --model gaussian \
  --samples-file "$work/samples.txt" --json "$work/samples.txt"
row "ssm --json on --samples-file by another spelling" 2 "--json" "--samples-file" -- ssm \
  --model gaussian --samples-file "$work/samples.txt" --json "$work/./out/../samples.txt"
row "ssm --json on --samples-file through a link" 2 "--json" "--samples-file" -- ssm \
  --model gaussian --samples-file "$work/samples.txt" --json "$work/samples.link"
row "variance --json on --samples-file" 2 "--json" "--samples-file" -- variance \
  --model gaussian --samples-file "$work/samples.txt" --json "$work/samples.txt"
row "variance --json on --weights" 2 "--json" "--weights" -- variance --model mlp \
  --weights "$work/net.txt" --samples 100 --json "$work/net.txt"
unchanged "the outputs leave --samples-file alone" "$work/samples.txt" "$work/samples.copy"
unchanged "the outputs leave --weights alone" "$work/net.txt" "$work/net.copy"
row "simulate --json and --csv on one new path" 2 "--json" "--csv" -- simulate "${small[@]}" \
  --csv "$out/x" --json "$out/x"
touch "$work/existing"
row "simulate --states-csv and --saved-csv on one file" 2 "--states-csv" "--saved-csv" -- \
  simulate "${small[@]}" --save-every 4 --states-csv "$work/existing" \
  --saved-csv "$work/./existing"

# ---- one path or one sample: no standard error ------------------------------------------------
# na_row NAME FORBIDDEN -- ARGS...: exit 0, "n/a" in stdout and not FORBIDDEN
na_row() {
  local name="$1" forbidden="$2"
  shift 3
  run_cli "$@"
  if [[ "$status" -ne 0 ]]; then
    fail "$name: exit $status: ${stderr:0:300}"
  elif ! grep -qF "n/a" <<<"$stdout" || grep -qF -- "$forbidden" <<<"$stdout"; then
    fail "$name: expected n/a and no \"$forbidden\": ${stdout:0:600}"
  else
    pass "$name"
  fi
}
na_row "simulate one path: no standard error" "0.000e+00" -- simulate --paths 1 --steps 4
na_row "simulate one path: no z-score" " 0.00 " -- simulate --paths 1 --steps 4
na_row "ssm one sample: no standard error" "0.000000" -- ssm --model gmm --samples 1
na_row "ssm one sample: no z-score" "inf standard errors" -- ssm --model gaussian --samples 1
rm -rf "$out" && mkdir -p "$out"
run_cli simulate --paths 1 --steps 4 --json "$out/one.json" --csv "$out/one.csv"
if [[ "$status" -eq 0 ]] && grep -qF '"std_error": null' "$out/one.json" &&
   [[ "$(tail -1 "$out/one.csv" | cut -d, -f6)" == "" ]]; then
  pass "simulate one path: std_error null in JSON, empty in CSV"
else
  fail "simulate one path: std_error in JSON/CSV: $(grep std_error "$out/one.json" 2>/dev/null)"
fi

# ---- non-finite results: exit 3, said on stderr, outputs still written ------------------------
row "simulate float overflow" 3 "not finite" -- simulate --sde gbm --mu 1e38 \
  --json "$out/overflow.json"
[[ -s "$out/overflow.json" ]] && pass "simulate float overflow writes its JSON" ||
  fail "simulate float overflow writes its JSON"
row "simulate double variance overflow" 3 "not finite" -- simulate --sde gbm --mu 1000 \
  --steps 1000 --precision double
printf '1e200 1e200\n3e200 -1e200\n' >"$work/huge.txt"
row "ssm losses overflow" 3 "not finite" -- ssm --model gaussian --precision double \
  --samples-file "$work/huge.txt"

# ---- memory that runs out mid-run: a message that says so, exit 1, no output left -------------
# memory_row NAME -- ARGS...: under a 600 MB address-space limit. AddressSanitizer reserves
# terabytes of shadow memory at start-up, so a sanitized build cannot run under such a limit;
# there the rows are skipped (the unsanitized build runs them).
# (ldd's whole output is read first: `ldd | grep -q` under pipefail fails whenever grep stops
# reading before ldd has written its last line.)
libraries=$(ldd "$cli" 2>/dev/null || true)
if [[ $libraries == *libasan* ]]; then sanitized=1; else sanitized=0; fi
memory_row() {
  local name="$1"
  shift 2
  if [[ "$sanitized" -eq 1 ]]; then
    echo "skip $name (AddressSanitizer needs more address space than the limit)"
    return
  fi
  rm -rf "$out" && mkdir -p "$out"
  status=0
  (ulimit -v 600000; timeout "$limit" "$cli" "$@" >/dev/null 2>"$work/stderr") || status=$?
  stderr="$(cat "$work/stderr")"
  if ! check "$name" 1 "memory"; then return; fi
  if grep -qF "std::bad_alloc" <<<"$stderr"; then fail "$name: bare std::bad_alloc"; return; fi
  only_file "$name leaves no output" "$out/x" -
}
memory_row "ssm samples beyond the address space" -- ssm --samples 30000000 --threads 1 \
  --json "$out/ssm.json"
memory_row "variance samples beyond the address space" -- variance --samples 30000000 \
  --threads 1 --replicates 2 --json "$out/variance.json"
memory_row "simulate states beyond the address space" -- simulate --paths 100000000 --steps 1 \
  --threads 1 --states-csv "$out/states.csv"

# ---- control bytes in messages are escaped ----------------------------------------------------
# escaped NAME RAW SHOWN -- ARGS...: exit 2; stderr holds SHOWN and not the byte RAW
escaped() {
  local name="$1" raw="$2" shown="$3"
  shift 4
  run_cli "$@"
  if [[ "$status" -ne 2 ]]; then
    fail "$name: exit $status, expected 2"
  elif LC_ALL=C grep -qF -- "$raw" "$work/stderr"; then
    fail "$name: stderr holds the raw byte(s)"
  elif ! grep -qF -- "$shown" <<<"$stderr"; then
    fail "$name: stderr lacks \"$shown\": ${stderr:0:300}"
  else
    pass "$name"
  fi
}
escaped "escape sequence in a value" $'\e' '\x1B[2J' -- simulate --sde $'\e[2Jbm'
escaped "bell and carriage return in a value" $'\a' '\x07\x0D' -- simulate --sde $'bm\a\r'
escaped "byte-order mark in a value" $'\xef\xbb\xbf' '\xEF\xBB\xBF' -- simulate \
  --sde $'\xef\xbb\xbfbm'
escaped "control byte in an option name" $'\x01' '\x01' -- simulate $'--pa\x01ths' 3
escaped "tab in a file name" $'\t' '\x09' -- simulate --json $'/nonexistent/a\tb.json'

echo "$passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
