#!/usr/bin/env python3
"""Sliced score matching cost in forward passes, from scorepath_bench.

Runs the benchmark binary with --benchmark_format=json (or reads a saved JSON with --input) and,
for every (backend, model, precision, threads), divides the time per sample of
sliced_score_matching with M probes by the time per sample of the plain forward pass
(evaluate_scores) of the same model on the same samples:

  time per sample of SSM(M)  = M / items_per_second   (items are sample-projections, N*M)
  time per sample of forward = 1 / items_per_second   (items are samples)

Targets (ratio at most):
  M = 1    2.5                  (--target-m1)
  M > 1    1 + 1.2 * M          (--intercept, --slope)
One SSM sample with M probes costs one primal evaluation plus M Jacobian-vector products, carried
as dual-number tangents alongside it; the targets say each tangent may cost at most 1.2 forward
passes.

Examples:
  python3 bench/ssm_ratios.py                                 # build/bench/scorepath_bench
  python3 bench/ssm_ratios.py build/bench/scorepath_bench --min-time 0.2 --out ssm.json
  python3 bench/ssm_ratios.py --input saved.json --out ssm.json
  python3 bench/ssm_ratios.py --filter '^(ssm|forward)_cpu/gmm16/'
  python3 bench/ssm_ratios.py -- --benchmark_enable_random_interleaving=true  # to the binary

Exit status: 0, or 1 with --strict when a ratio misses its target, 2 on errors.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_results import collect_rates, run_benchmark

DEFAULT_BINARY = os.path.join("build", "bench", "scorepath_bench")
DEFAULT_FILTER = r"^(ssm|forward)_(cpu|cuda)/"
TIME_SUFFIXES = ("real_time", "manual_time", "process_time")


def parse_name(run_name):
    """'ssm_cpu/gmm16/float/M:4/cpu_threads:2/process_time/real_time' -> dict, or None."""
    parts = run_name.split("/")
    m = re.fullmatch(r"(ssm|forward)_(cpu|cuda)", parts[0])
    if not m:
        return None
    info = {"kind": m.group(1), "backend": m.group(2), "args": {}}
    plain = []
    for p in parts[1:]:
        if ":" in p:
            k, v = p.split(":", 1)
            try:
                info["args"][k] = int(v)
            except ValueError:
                info["args"][k] = v
        elif p not in TIME_SUFFIXES:
            plain.append(p)
    if len(plain) < 2:
        return None
    info["model"], info["precision"] = plain[0], plain[1]
    if info["kind"] == "ssm" and not isinstance(info["args"].get("M"), int):
        return None
    info["threads"] = info["args"].get("cpu_threads", "-")  # CUDA runs have no thread count
    return info


def target_for(m, args):
    return args.target_m1 if m == 1 else args.intercept + args.slope * m


def build_table(rates, args):
    forward, ssm = {}, {}
    for name, (ips, util) in rates.items():
        info = parse_name(name)
        if info is None:
            continue
        key = (info["backend"], info["model"], info["precision"], info["threads"])
        if info["kind"] == "forward":
            forward[key] = (ips, name, util)
        else:
            ssm[key + (info["args"]["M"],)] = (ips, name, util)

    def order(k):
        backend, model, precision, threads, m = k
        digits = re.sub(r"\D", "", model)
        return (backend != "cpu", re.sub(r"\d", "", model), int(digits) if digits else 0, model,
                precision != "float", threads if isinstance(threads, int) else -1, m)

    rows = []
    for key in sorted(ssm, key=order):
        backend, model, precision, threads, m = key
        s = ssm[key]
        f = forward.get(key[:4])
        fwd_s = 1.0 / f[0] if f else None
        ssm_s = m / s[0]
        ratio = ssm_s / fwd_s if f else None
        target = target_for(m, args)
        starved = []
        if isinstance(threads, int):
            for label, entry in (("ssm", s), ("forward", f)):
                if entry and entry[2] is not None and entry[2] < 0.8 * threads:
                    starved.append(f"{label} cpu/wall {entry[2]:.2f}")
        rows.append({
            "backend": backend, "model": model, "precision": precision, "threads": threads,
            "probes": m,
            "forward_s_per_sample": fwd_s, "forward_benchmark": f[1] if f else None,
            "ssm_s_per_sample": ssm_s, "ssm_benchmark": s[1],
            "ssm_cpu_per_wall": s[2], "forward_cpu_per_wall": f[2] if f else None,
            "ratio": ratio, "target": target,
            "meets_target": None if ratio is None else ratio <= target,
            "cpu_starved": starved,
        })
    return rows


def fmt_ns(seconds):
    return "-" if seconds is None else f"{seconds * 1e9:10.2f}"


def print_table(rows):
    header = (f"{'backend':7} {'model':8} {'prec':6} {'thr':>3} {'M':>3}  {'fwd ns/smp':>10}  "
              f"{'SSM ns/smp':>10}  {'ratio':>7}  {'target':>7}  result")
    print(header)
    print("-" * len(header))
    for r in rows:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[r["meets_target"]]
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:7.2f}"
        note = ("  (threads starved: " + ", ".join(r["cpu_starved"]) + ")") if r["cpu_starved"] else ""
        print(f"{r['backend']:7} {r['model']:8} {r['precision']:6} {str(r['threads']):>3} "
              f"{r['probes']:>3}  {fmt_ns(r['forward_s_per_sample']):>10}  "
              f"{fmt_ns(r['ssm_s_per_sample']):>10}  {ratio:>7}  {'<=' + format(r['target'], 'g'):>7}  "
              f"{verdict}{note}")
    if any(r["cpu_starved"] for r in rows):
        print("note: in a starved case the process CPU time stayed below 0.8 x threads x wall "
              "time: its threads did not get their CPUs (another busy process, or a VM scheduler "
              "packing threads), so its rate is not valid; rerun on an idle machine or with "
              "--repetitions")


def main():
    ap = argparse.ArgumentParser(
        description="SSM time per sample / forward-pass time per sample, from scorepath_bench.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("binary", nargs="?", default=DEFAULT_BINARY,
                    help=f"benchmark binary (default {DEFAULT_BINARY})")
    ap.add_argument("--input", help="read this saved --benchmark_format=json output instead of running")
    ap.add_argument("--out", help="write the table as JSON to this file")
    ap.add_argument("--filter", default=DEFAULT_FILTER,
                    help="--benchmark_filter regex (default: the SSM and forward cases)")
    ap.add_argument("--min-time", type=float, default=None,
                    help="--benchmark_min_time in seconds (benchmark default 0.5)")
    ap.add_argument("--repetitions", type=int, default=1,
                    help="--benchmark_repetitions; the median is used when > 1")
    ap.add_argument("--target-m1", type=float, default=2.5, help="largest ratio at M = 1 (2.5)")
    ap.add_argument("--intercept", type=float, default=1.0,
                    help="largest ratio at M > 1 is intercept + slope*M (intercept 1.0)")
    ap.add_argument("--slope", type=float, default=1.2, help="(slope 1.2)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a ratio misses its target")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:  # everything after '--' goes to the benchmark binary
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = ap.parse_args(argv)
    args.extra = extra

    if args.input:
        try:
            with open(args.input, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            sys.exit(f"ssm_ratios.py: cannot read {args.input}: {e}")
    else:
        binary = args.binary
        if binary == DEFAULT_BINARY and not os.path.isfile(binary):
            # Not run from the repository root: try the build tree next to this script.
            repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            candidate = os.path.join(repo_root, DEFAULT_BINARY)
            if os.path.isfile(candidate):
                binary = candidate
        doc = run_benchmark("ssm_ratios.py", binary, args)

    rates, errors = collect_rates(doc)
    for name, msg in sorted(errors.items()):
        print(f"warning: {name}: {msg}", file=sys.stderr)
    rows = build_table(rates, args)
    if not rows:
        print("ssm_ratios.py: no sliced score matching results in the benchmark output",
              file=sys.stderr)
        return 2
    print_table(rows)

    if args.out:
        result = {
            "targets": {"m1": args.target_m1, "intercept": args.intercept, "slope": args.slope},
            "context": doc.get("context", {}),
            "rows": rows,
        }
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        print(f"wrote {args.out}", file=sys.stderr)

    missed = any(r["meets_target"] is False for r in rows)
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
