#!/usr/bin/env python3
"""EM path-step rate versus raw Philox normal rate, from scorepath_bench.

Runs the benchmark binary with --benchmark_format=json (or reads a saved JSON with --input) and,
for every (backend, precision, threads), divides the GBM 1-D statistics-mode rate at 1e6 paths
(path-steps/s; GBM draws exactly one normal per path-step) by the raw normal rate of
generate_normals (normals/s). The target is a ratio of at least 0.7: the engine keeps 70% of the
generator's speed while also doing the Euler-Maruyama arithmetic and the statistics.

Two denominators are printed:
  raw(same)  generate_normals with streams = 1e6, draws = 256: the same 2.56e8 normals and the
             same Philox keying as the EM run (the generator also writes them to memory);
  raw(best)  the fastest raw-normal case measured for that (backend, precision, threads).
The pass/fail column uses raw(same) unless --denominator best is given.

Examples:
  python3 bench/em_ratios.py                                  # build/bench/scorepath_bench
  python3 bench/em_ratios.py build/bench/scorepath_bench --min-time 0.1 --out ratios.json
  python3 bench/em_ratios.py --input saved.json --out ratios.json
  python3 bench/em_ratios.py --filter 'gbm1/float/statistics/paths:1000000/|normals_cpu/float/'
  python3 bench/em_ratios.py -- --benchmark_enable_random_interleaving=true   # to the binary

Exit status: 0, or 1 with --strict when a ratio is below the target, 2 on errors.
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
EM_PATHS = 1_000_000
RAW_STREAMS = 1_000_000
STEPS = 256
# Only what the table needs: GBM statistics at 1e6 paths and the raw normals (CPU and CUDA).
DEFAULT_FILTER = r"^(em_(cpu|cuda)/gbm1/[a-z]+/statistics/paths:1000000/|normals_(cpu|cuda)/)"


def parse_name(run_name):
    """'em_cpu/gbm1/float/statistics/paths:1000000/cpu_threads:2/real_time' -> dict, or None."""
    parts = run_name.split("/")
    if not parts:
        return None
    head = parts[0]
    m = re.fullmatch(r"(em|normals)_(cpu|cuda)", head)
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
        elif p not in ("real_time", "manual_time", "process_time"):
            plain.append(p)
    if info["kind"] == "em":
        if len(plain) < 3:
            return None
        info["sde"], info["precision"], info["mode"] = plain[0], plain[1], plain[2]
    else:
        if len(plain) < 1:
            return None
        info["precision"] = plain[0]
    # CUDA runs have no CPU thread count.
    info["threads"] = info["args"].get("cpu_threads", "-")
    return info


def build_table(rates, target, denominator):
    em = {}
    raw_same = {}
    raw_best = {}
    for name, (ips, util) in rates.items():
        info = parse_name(name)
        if info is None:
            continue
        key = (info["backend"], info["precision"], info["threads"])
        if info["kind"] == "em":
            if (info["sde"] == "gbm1" and info["mode"] == "statistics"
                    and info["args"].get("paths") == EM_PATHS):
                em[key] = (ips, name, util)
        else:
            if (info["args"].get("streams") == RAW_STREAMS
                    and info["args"].get("draws") == STEPS):
                raw_same[key] = (ips, name, util)
            if key not in raw_best or ips > raw_best[key][0]:
                raw_best[key] = (ips, name, util)

    def order(k):
        backend, precision, threads = k
        return (backend != "cpu", precision != "float", backend,
                threads if isinstance(threads, int) else -1)

    rows = []
    for key in sorted(set(em) | set(raw_same) | set(raw_best), key=order):
        backend, precision, threads = key
        e = em.get(key)
        s = raw_same.get(key)
        b = raw_best.get(key)
        row = {
            "backend": backend,
            "precision": precision,
            "threads": threads,
            "em_path_steps_per_s": e[0] if e else None,
            "em_benchmark": e[1] if e else None,
            "raw_same_normals_per_s": s[0] if s else None,
            "raw_same_benchmark": s[1] if s else None,
            "raw_best_normals_per_s": b[0] if b else None,
            "raw_best_benchmark": b[1] if b else None,
            "ratio_same": (e[0] / s[0]) if e and s else None,
            "ratio_best": (e[0] / b[0]) if e and b else None,
        }
        # A multi-threaded case whose process CPU time stayed well below threads x wall time did
        # not get its CPUs (another busy process, or a VM scheduler packing threads together).
        starved = []
        if isinstance(threads, int):
            for label, entry in (("em", e), ("raw(same)", s), ("raw(best)", b)):
                if entry and entry[2] is not None and entry[2] < 0.8 * threads:
                    starved.append(f"{label} cpu/wall {entry[2]:.2f}")
        row["em_cpu_per_wall"] = e[2] if e else None
        row["raw_same_cpu_per_wall"] = s[2] if s else None
        row["raw_best_cpu_per_wall"] = b[2] if b else None
        row["cpu_starved"] = starved
        used = row["ratio_same"] if denominator == "same" else row["ratio_best"]
        row["ratio"] = used
        row["meets_target"] = None if used is None else used >= target
        rows.append(row)
    return rows


def fmt_rate(x):
    return "-" if x is None else f"{x / 1e6:9.1f}M"


def fmt_ratio(x):
    return "-" if x is None else f"{x:6.3f}"


def print_table(rows, target, denominator):
    header = (f"{'backend':7} {'prec':6} {'thr':>3}  {'EM steps/s':>11}  {'raw(same)/s':>11}  "
              f"{'ratio':>6}  {'raw(best)/s':>11}  {'ratio':>6}  target>={target:g} ({denominator})")
    print(header)
    print("-" * len(header))
    for r in rows:
        verdict = {True: "ok", False: "BELOW", None: "n/a"}[r["meets_target"]]
        note = ("  (threads starved: " + ", ".join(r["cpu_starved"]) + ")") if r["cpu_starved"] else ""
        print(f"{r['backend']:7} {r['precision']:6} {str(r['threads']):>3}  "
              f"{fmt_rate(r['em_path_steps_per_s']):>11}  {fmt_rate(r['raw_same_normals_per_s']):>11}  "
              f"{fmt_ratio(r['ratio_same']):>6}  {fmt_rate(r['raw_best_normals_per_s']):>11}  "
              f"{fmt_ratio(r['ratio_best']):>6}  {verdict}{note}")
    if any(r["cpu_starved"] for r in rows):
        print("note: in a starved case the process CPU time stayed below 0.8 x threads x wall "
              "time: its threads did not get their CPUs (another busy process, or a VM scheduler "
              "packing threads), so its rate is not valid; rerun on an idle machine or with "
              "--repetitions")


def main():
    ap = argparse.ArgumentParser(
        description="EM path-step rate / raw normal rate table from scorepath_bench.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("binary", nargs="?", default=DEFAULT_BINARY,
                    help=f"benchmark binary (default {DEFAULT_BINARY})")
    ap.add_argument("--input", help="read this saved --benchmark_format=json output instead of running")
    ap.add_argument("--out", help="write the table as JSON to this file")
    ap.add_argument("--filter", default=DEFAULT_FILTER,
                    help="--benchmark_filter regex (default: the cases the table needs); '' for all")
    ap.add_argument("--min-time", type=float, default=None,
                    help="--benchmark_min_time in seconds (benchmark default 0.5)")
    ap.add_argument("--repetitions", type=int, default=1,
                    help="--benchmark_repetitions; the median is used when > 1")
    ap.add_argument("--target", type=float, default=0.7, help="ratio target (default 0.7)")
    ap.add_argument("--denominator", choices=("same", "best"), default="same",
                    help="raw rate the target is checked against (default: same 1e6x256 shape)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a ratio misses the target")
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
            sys.exit(f"em_ratios.py: cannot read {args.input}: {e}")
    else:
        binary = args.binary
        if binary == DEFAULT_BINARY and not os.path.isfile(binary):
            # Not run from the repository root: try the build tree next to this script.
            repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            candidate = os.path.join(repo_root, DEFAULT_BINARY)
            if os.path.isfile(candidate):
                binary = candidate
        doc = run_benchmark("em_ratios.py", binary, args)

    rates, errors = collect_rates(doc)
    for name, msg in sorted(errors.items()):
        print(f"warning: {name}: {msg}", file=sys.stderr)
    rows = build_table(rates, args.target, args.denominator)
    if not rows:
        print("em_ratios.py: no GBM statistics or raw-normal results in the benchmark output",
              file=sys.stderr)
        return 2
    print_table(rows, args.target, args.denominator)

    if args.out:
        result = {
            "target": args.target,
            "denominator": args.denominator,
            "em_case": f"gbm1 statistics, paths={EM_PATHS}, steps={STEPS}",
            "raw_same_case": f"generate_normals streams={RAW_STREAMS}, draws={STEPS}",
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
