#!/usr/bin/env bash
# The one command for a machine with a CUDA device: builds (unless --skip-build), checks that the
# build has the CUDA backend and kernels for the device, then runs the GPU tests (words, normals, paths and losses against the CPU), compute-sanitizer memcheck and
# racecheck over them, the CUDA benchmarks, sliced score matching against PyTorch on the GPU
# (bench/peers/peers.py --device cuda), and writes one JSON file with the device, every step's
# status and time, the test counts and the benchmark rates. Each step runs even when an earlier
# one failed; what could not run is listed with the reason.
#
# Usage: scripts/gpu_check.sh [--out FILE] [--build-dir DIR] [--skip-build] [--quick]
#   --out FILE       the JSON report (default gpu_check.json)
#   --build-dir DIR  the CUDA build (default ${SCOREPATH_BUILD_DIR:-build})
#   --skip-build     use the build as it is
#   --quick          the sanitizers on a few tests, the benchmarks at their shortest
# Without a CUDA device it writes a report saying so and exits 0. Exit status: 0 every step that
# ran passed; 1 a step failed; 2 bad usage. Meant to finish within 10 minutes on an H100/H200.
set -uo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"

out=gpu_check.json
build_dir=${SCOREPATH_BUILD_DIR:-build}
skip_build=0
quick=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a file}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; build_dir_given=1; shift 2 ;;
    --skip-build) skip_build=1; shift ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu_check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
# Relative paths given on the command line are the caller's, as with any command; the default
# build directory is the repository's.
[[ $out == /* ]] || out=$caller/$out
if [[ -n ${build_dir_given:-} && $build_dir != /* ]]; then build_dir=$caller/$build_dir; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/scorepath-gpu-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
: >"$work/steps.tsv"   # name, status (passed/failed/not run), seconds, note

# step NAME NOTE COMMAND...: runs the command, its output to $work/NAME.log, and records it.
step() {
  local name=$1 note=$2
  shift 2
  echo "gpu_check: $name ..."
  local start=$SECONDS status=passed
  "$@" >"$work/$name.log" 2>&1 || status=failed
  printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$((SECONDS - start))" "$note" >>"$work/steps.tsv"
  echo "gpu_check: $name $status ($((SECONDS - start)) s)"
  [[ $status == failed ]] && tail -n 20 "$work/$name.log"
  return 0
}
not_run() { printf '%s\tnot run\t0\t%s\n' "$1" "$2" >>"$work/steps.tsv"; echo "gpu_check: $1 not run: $2"; }

device=""
if command -v nvidia-smi >/dev/null 2>&1; then
  device=$(nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap \
    --format=csv,noheader 2>/dev/null | head -n 1)
fi

if [[ -z $device ]]; then
  echo "gpu_check: no CUDA device here; nothing to check"
  not_run build "no CUDA device"
  not_run peers_cuda "no CUDA device"
else
  if [[ $skip_build -eq 0 ]]; then
    step build "scripts/build.sh (Release, CUDA)" env SCOREPATH_BUILD_DIR="$build_dir" \
      bash scripts/build.sh
  fi
  tests=$build_dir/tests/scorepath_tests
  bench=$build_dir/bench/scorepath_bench
  # Without the CUDA backend every GPU test would skip and the check would pass having run
  # nothing; the build's own report also says whether the device has kernels in it.
  step cuda_backend "scorepath info: CUDA compiled and device 0 usable" bash -c \
    "'$build_dir/apps/scorepath' info | tee /dev/stderr | grep -q 'CUDA backend compiled: yes' &&
     '$build_dir/apps/scorepath' info | grep -q '^  \[0\] .*: usable'"
  filter='Gpu*:GpuSsm*:*Cuda*'
  if [[ -x $tests ]]; then
    step gpu_tests "GoogleTest, filter $filter" "$tests" --gtest_filter="$filter" \
      --gtest_output="json:$work/gpu_tests.json"
    sanitizer=$(command -v compute-sanitizer || true)
    sanitize_filter=$filter
    [[ $quick -eq 1 ]] && sanitize_filter='Gpu.PhiloxWordsEqualTheCpuWords:GpuSsm.FloatMixtureMatchesTheCpu'
    if [[ -n $sanitizer ]]; then
      step memcheck "compute-sanitizer memcheck, $sanitize_filter" "$sanitizer" --tool memcheck \
        --leak-check full --error-exitcode 3 "$tests" --gtest_filter="$sanitize_filter"
      step racecheck "compute-sanitizer racecheck, $sanitize_filter" "$sanitizer" --tool racecheck \
        --racecheck-report all --error-exitcode 3 "$tests" --gtest_filter="$sanitize_filter"
    else
      not_run memcheck "compute-sanitizer not found (CUDA toolkit bin/)"
      not_run racecheck "compute-sanitizer not found (CUDA toolkit bin/)"
    fi
  else
    not_run gpu_tests "$tests not built"
  fi
  if [[ -x $bench ]]; then
    min_time=0.5
    [[ $quick -eq 1 ]] && min_time=0.05
    step benchmarks "scorepath_bench, CUDA cases, min time $min_time s" "$bench" \
      --benchmark_filter='_cuda' --benchmark_min_time="$min_time" \
      --benchmark_format=json --benchmark_out="$work/bench.json" --benchmark_out_format=json
  else
    not_run benchmarks "$bench not built"
  fi
  # scorepath's CUDA backend against PyTorch on the GPU (sliced score matching); the script notes
  # in its JSON when PyTorch has no CUDA or is missing (bash scripts/setup_peers.sh installs it).
  if [[ -x $build_dir/bench/peers/ssm_driver ]]; then
    # Explicit sizes override --quick's, so --quick gets smaller ones of its own.
    peer_sizes=gmm16=1048576,mlp2=262144
    [[ $quick -eq 1 ]] && peer_sizes=gmm16=65536,mlp2=16384
    step peers_cuda "bench/peers/peers.py --device cuda (SSM against PyTorch on the GPU)" \
      python3 bench/peers/peers.py --device cuda --threads 1 --build-dir "$build_dir" \
      --ssm-samples "$peer_sizes" --ssm-models gmm16,mlp2 --out "$work/peers_cuda.json"
  else
    not_run peers_cuda "$build_dir/bench/peers/ssm_driver not built"
  fi
fi

python3 - "$work" "$out" "$device" <<'PY'
import json, os, sys
work, out, device = sys.argv[1], sys.argv[2], sys.argv[3]
report = {"device": None, "steps": [], "tests": None, "benchmarks": [], "peers_cuda": None}
if device:
    name, memory, driver, cc = [f.strip() for f in (device.split(",") + ["", "", ""])[:4]]
    report["device"] = {"name": name, "memory": memory, "driver": driver, "compute_capability": cc}
for line in open(os.path.join(work, "steps.tsv"), encoding="utf-8"):
    name, status, seconds, note = line.rstrip("\n").split("\t")
    report["steps"].append({"name": name, "status": status, "seconds": int(seconds), "note": note})
tests = os.path.join(work, "gpu_tests.json")
if os.path.exists(tests):
    t = json.load(open(tests))
    report["tests"] = {"tests": t.get("tests"), "failures": t.get("failures"),
                       "disabled": t.get("disabled")}
bench = os.path.join(work, "bench.json")
if os.path.exists(bench):
    for b in json.load(open(bench)).get("benchmarks", []):
        report["benchmarks"].append({k: b.get(k) for k in
                                     ("name", "real_time", "time_unit", "items_per_second",
                                      "label", "error_message") if k in b})
peers = os.path.join(work, "peers_cuda.json")
if os.path.exists(peers):
    ssm = json.load(open(peers)).get("ssm", {})
    report["peers_cuda"] = {"notes": ssm.get("notes", []), "rows": ssm.get("rows", [])}
# Written whole or not at all: a temporary beside it, then renamed into place.
tmp = out + ".tmp-" + str(os.getpid())
try:
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
except OSError as e:
    if os.path.exists(tmp):
        os.remove(tmp)
    sys.exit(f"gpu_check: cannot write {out}: {e}")
failed = [s["name"] for s in report["steps"] if s["status"] == "failed"]
print(f"gpu_check: wrote {out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
sys.exit(1 if failed else 0)
PY
