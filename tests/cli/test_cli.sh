#!/usr/bin/env bash
# Runs the scorepath command on small inputs: results against closed forms and exact values
# computed here (python3, standard library only), exit code 2 and a message naming the option for
# bad arguments, files written when asked. Every run of the command is under a time limit: a hang
# is a failure.
# Usage: tests/cli/test_cli.sh PATH/TO/scorepath
set -euo pipefail
cli="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/scorepath_cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
limit_s=120  # per run of the command; the largest case here takes about a second

pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; }

# expect_status NAME STATUS PATTERN -- ARGS...: exit status STATUS and PATTERN in stdout+stderr,
# within limit_s seconds. The output is kept in $work/last_output.txt.
expect_status() {
  local name="$1" want="$2" pattern="$3"
  shift 4
  local out status=0
  out="$(timeout -k 10 "$limit_s" "$cli" "$@" 2>&1)" || status=$?
  printf '%s\n' "$out" >"$work/last_output.txt"
  if [[ "$status" -eq 124 || "$status" -eq 137 ]]; then
    fail "$name: no answer within $limit_s s (exit $status)"
  elif [[ "$status" -ne "$want" ]]; then
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
expect_status "ssm dim not compiled" 2 "'--dim' = 3" -- ssm --model gaussian --dim 3
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
# The same network on five given points, with M = D = 2 orthogonal probes: the two probes are
# √2 times an orthonormal basis, so Σ_j (v_jᵀS)²/2 = ‖S‖² and Σ_j v_jᵀJv_j/2 = tr J, and SSM,
# SSM-VR and ISM all equal ‖S‖² + 2 tr J per sample. That value, computed here by hand from the
# file (S = W2 tanh(W1 x + b1) + b2, J = W2 diag(1 − tanh²) W1), must be what is printed and written.
printf '0.5 -1\n1.25 0.75\n-2 0.3\n0 0\n3 -0.5\n' >"$work/mlp_points.txt"
expect_status "ssm mlp from file on given points" 0 "5 samples" -- ssm --model mlp \
  --weights "$work/net.txt" --samples-file "$work/mlp_points.txt" --probes 2 --law orthogonal \
  --precision double --json "$work/mlp.json"
if python3 - "$work/net.txt" "$work/mlp_points.txt" "$work/mlp.json" "$work/last_output.txt" <<'PY'; then pass "ssm mlp losses equal the hand-computed value"; else fail "ssm mlp losses equal the hand-computed value"; fi
import json, math, re, sys
words = open(sys.argv[1]).read().split()
p = [float(w) for w in words[words.index("parameters") + 2:]]
assert len(p) == 17
w1 = [p[0:2], p[2:4], p[4:6]]          # 3x2, row-major
b1 = p[6:9]
w2 = [p[9:12], p[12:15]]               # 2x3, row-major
b2 = p[15:17]
terms = []
for line in open(sys.argv[2]):
    x = [float(v) for v in line.split()]
    t = [math.tanh(sum(w1[h][i] * x[i] for i in range(2)) + b1[h]) for h in range(3)]
    s = [sum(w2[o][h] * t[h] for h in range(3)) + b2[o] for o in range(2)]
    trace = sum((1 - t[h] ** 2) * w2[i][h] * w1[h][i] for h in range(3) for i in range(2))
    terms.append(s[0] ** 2 + s[1] ** 2 + 2 * trace)
n = len(terms)
mean = sum(terms) / n
se = math.sqrt(sum((v - mean) ** 2 for v in terms) / (n - 1) / n)
j = json.load(open(sys.argv[3]))
ok = True
for key in ("ssm", "ssm_vr", "ism"):
    got = j[key]
    if abs(got["value"] - mean) > 1e-12 * (1 + abs(mean)) or abs(got["std_error"] - se) > 1e-10 * se:
        print(f"{key}: {got} against {mean} ± {se}")
        ok = False
printed = {m.group(1): float(m.group(2)) for m in
           re.finditer(r"^(SSM|SSM-VR|ISM)\s+(\S+)\s+\S+$", open(sys.argv[4]).read(), re.M)}
for key in ("SSM", "SSM-VR", "ISM"):
    if key not in printed or abs(printed[key] - mean) > 6e-7:  # printed with 6 decimals
        print(f"printed {key} = {printed.get(key)} against {mean}")
        ok = False
sys.exit(0 if ok else 1)
PY
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
  --precision double --replicates 8 --probes 1,2 --json "$work/var.json"
# Closed forms from the model's parameters, computed here: the built-in diagonal Gaussian has
# variances v_i = 0.5 + 0.25 (i mod 4), so J = A = -diag(1/v_i) = -diag(2, 4/3), and one probe's
# vᵀAv has variance 2|A|_F^2 (Gaussian), 2(|A|_F^2 - Σ A_ii²) = 0 (Rademacher), and
# 2d/(d+2) (|A|_F^2 - τ²/d) (sphere, and orthogonal M = 1); M independent probes divide by M, and
# M = d orthogonal probes give τ exactly (0).
json_check "variance: closed forms equal 2|A|_F^2/M and the other laws' values, computed here" \
  "$work/var.json" "$(cat <<'PY'
(lambda a: (lambda frob2, tau, d: len(j['rows']) == 8 and all(
    abs(r['closed_form'] - {
        'gaussian': 2 * frob2 / r['probes'],
        'rademacher': 0.0,
        'sphere': 2 * d / (d + 2) * (frob2 - tau * tau / d) / r['probes'],
        'orthogonal': 2 * d / (d + 2) * (frob2 - tau * tau / d) * (d - r['probes']) / ((d - 1) * r['probes']),
    }[r['law']]) <= 1e-12 * frob2 for r in j['rows']))(sum(x * x for x in a), sum(a), len(a)))(
    [-1 / (0.5 + 0.25 * (i % 4)) for i in range(2)])
PY
)"
json_check "variance: rademacher exact on a diagonal Jacobian" "$work/var.json" \
  "all(r['empirical'] < 1e-20 for r in j['rows'] if r['law'] == 'rademacher')"
expect_status "variance zero replicates" 2 "'--replicates'" -- variance --replicates 1 --samples 10
expect_status "variance bad target" 2 "'--target'" -- variance --target -1 --samples 10

expect_status "simulate zero paths" 2 "paths" -- simulate --paths 0
expect_status "simulate gbm" 0 "exact" -- simulate --sde gbm --mu 0.1 --sigma 0.5 --x0 2 \
  --t0 0 --t1 1 --paths 20000 --steps 16 --precision double --json "$work/sim.json"
# The Euler-Maruyama chain X_{k+1} = X_k (a + b Z_k), a = 1 + μh, b = σ√h, has the raw moments
# E[X_N^p] = x0^p (E[(a + bZ)^p])^N: a, a² + b², a³ + 3ab², a⁴ + 6a²b² + 3b⁴ for p = 1..4. The
# mean must lie within 5 standard errors (the run's own) of x0 a^N, and the variance within 5
# standard errors of the exact one, its standard error √((μ4 - Var²)/n) from the exact central
# fourth moment μ4. The exact values the command prints beside the run must equal these.
json_check "simulate gbm mean and variance within 5 standard errors of the exact EM moments" \
  "$work/sim.json" "$(cat <<'PY'
(lambda r, n, N, x0, a, b: (lambda e1, e2, e3, e4: (lambda var, mu4: len(j['statistics']) == 1
    and r['count'] == n and j['steps'] == N
    and abs(r['mean'] - e1) < 5 * r['std_error']
    and abs(r['variance'] - var) < 5 * math.sqrt((mu4 - var * var) / n)
    and abs(r['exact_mean'] - e1) < 1e-12 * e1 and abs(r['exact_variance'] - var) < 1e-10 * var)(
        e2 - e1 * e1, e4 - 4 * e1 * e3 + 6 * e1 * e1 * e2 - 3 * e1 ** 4))(
    x0 * a ** N, x0 ** 2 * (a * a + b * b) ** N, x0 ** 3 * (a ** 3 + 3 * a * b * b) ** N,
    x0 ** 4 * (a ** 4 + 6 * a * a * b * b + 3 * b ** 4) ** N))(
    j['statistics'][0], 20000, 16, 2.0, 1 + 0.1 / 16, 0.5 * math.sqrt(1 / 16))
PY
)"
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
# An MLP of any dimension: the run-time network (matrix products over tiles) below and above the
# compiled 2 and 64; SSM and ISM estimate the same loss on the same samples.
expect_status "ssm mlp at D = 3" 0 "run-time D" -- ssm --model mlp --dim 3 --hidden 32,32 \
  --samples 20000 --probes 2 --json "$work/mlp3.json"
json_check "ssm mlp at D = 3: dimension 3, SSM within 5 standard errors of ISM" "$work/mlp3.json" \
  "j['model']['dim'] == 3 and abs(j['ssm']['value'] - j['ism']['value']) < 5 * j['ssm']['std_error']"
expect_status "ssm mlp at D = 1" 0 "run-time D" -- ssm --model mlp --dim 1 --hidden 8 \
  --samples 100 --law orthogonal --no-ism
expect_status "ssm mlp at D = 0" 2 "'--dim' = 0" -- ssm --model mlp --dim 0
# The mixtures at a dimension no model is compiled for: the run-time diagonal mixture, whose SSM
# on its own data estimates E[ISM] = -tr(Sigma^-1) in closed form for the diagonal Gaussian.
expect_status "ssm diag-gaussian at D = 5" 0 "run-time D" -- ssm --model diag-gaussian --dim 5 \
  --samples 40000 --probes 2 --law rademacher --json "$work/diag5.json"
json_check "ssm diag-gaussian at D = 5: SSM within 5 standard errors of the exact E[ISM]" \
  "$work/diag5.json" \
  "j['model']['dim'] == 5 and abs(j['ssm']['value'] - j['exact_ism']) < 5 * j['ssm']['std_error']"
expect_status "ssm gmm at D = 3" 0 "mixture of 8 Gaussians, 3-D, run-time D" -- ssm --model gmm \
  --dim 3 --samples 5000 --precision double
# The variance study at a run-time D: the network's and the mixture's Jacobians feed the closed
# forms, which the empirical variances must meet within 5 standard errors.
expect_status "variance mlp at D = 3" 0 "run-time D" -- variance --model mlp --dim 3 \
  --samples 300 --replicates 16 --probes 1,4 --json "$work/variance3.json"
json_check "variance mlp at D = 3: every empirical variance within 5 SE of its closed form" \
  "$work/variance3.json" \
  "j['dimension'] == 3 and len(j['rows']) == 8 and all(abs(r['empirical'] - r['closed_form']) < 5 * r['std_error'] for r in j['rows'])"
expect_status "variance gmm at D = 7" 0 "mixture of 8 Gaussians, 7-D, run-time D" -- variance \
  --model gmm --dim 7 --samples 100 --replicates 8 --probes 1 --laws gaussian
expect_status "variance mlp at D = 0" 2 "'--dim' = 0" -- variance --model mlp --dim 0 --samples 10
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
