#!/usr/bin/env python3
"""Cost of the 8-component Gaussian mixture per sample per (D*K) against the dimension D.

Runs scorepath_bench's forward pass and sliced score matching at M = 1 on one CPU thread for
D = 2, 4, 8, 16, 32, 64 (the benchmarks gmmD; N*D is the same for every D), and prints

  ns per sample per (D*K) = 1e9 / (items_per_second * D * K),   K = 8 components

for each D, with its ratio to the D = 2 figure. The work per sample is linear in D*K, so the
column should be flat: a jump at some D (register spills, a strided gather) shows as a ratio well
above 1. The target is a ratio of at most 2 at every D for both the forward pass and SSM.

Examples:
  python3 bench/per_dim.py                                   # build/bench/scorepath_bench
  python3 bench/per_dim.py build-cpu/bench/scorepath_bench --min-time 0.5 --out per_dim.json
  python3 bench/per_dim.py BINARY --min-time 0.01 --max-ratio 4   # the CTest smoke check

Exit status: 0; 1 when a case did not run, or when --max-ratio is given and a ratio exceeds it
(or with --strict when the target is missed); 2 on errors. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_results import collect_rates, run_benchmark

DEFAULT_BINARY = os.path.join("build", "bench", "scorepath_bench")
DIMS = (2, 4, 8, 16, 32, 64)
COMPONENTS = 8
TARGET = 2.0
FILTER = r"^(forward_cpu/gmm[0-9]+/float/cpu_threads:1|ssm_cpu/gmm[0-9]+/float/M:1/cpu_threads:1)/"
NAME = re.compile(r"^(forward|ssm)_cpu/gmm([0-9]+)/float/")


def per_dk(rates):
    """(kind, D) -> ns per sample per (D*K), from the one-thread, M = 1 rates."""
    table = {}
    for name, (ips, _util) in rates.items():
        m = NAME.match(name)
        one_probe = m is not None and (m.group(1) == "forward" or "/M:1/" in name)
        if not one_probe or "cpu_threads:1" not in name:
            continue
        d = int(m.group(2))
        table[(m.group(1), d)] = 1e9 / (ips * d * COMPONENTS)
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", nargs="?", default=DEFAULT_BINARY)
    ap.add_argument("--min-time", type=float, default=0.2, help="benchmark min time per case (s)")
    ap.add_argument("--repetitions", type=int, default=1)
    ap.add_argument("--max-ratio", type=float, default=None,
                    help="exit 1 when a D's figure exceeds this multiple of D = 2's")
    ap.add_argument("--strict", action="store_true", help="exit 1 when the target (2) is missed")
    ap.add_argument("--out", help="write the table as JSON to this file")
    args = ap.parse_args()
    if args.min_time <= 0 or args.repetitions < 1:
        print("per_dim.py: --min-time must be positive and --repetitions at least 1",
              file=sys.stderr)
        return 2
    args.filter, args.extra = FILTER, []
    rates, errors = collect_rates(run_benchmark("per_dim.py", args.binary, args))
    for name, message in errors.items():
        print(f"per_dim.py: {name}: {message}", file=sys.stderr)
    table = per_dk(rates)
    rows, status = [], 0
    print(f"{'D':>3}  {'fwd ns/(smp*D*K)':>17} {'ratio':>6}  {'SSM ns/(smp*D*K)':>17} {'ratio':>6}")
    for d in DIMS:
        row = {"dim": d}
        cells = []
        for kind in ("forward", "ssm"):
            value, base = table.get((kind, d)), table.get((kind, 2))
            if value is None or base is None:
                print(f"per_dim.py: no {kind} figure at D = {d}", file=sys.stderr)
                status = 1
                cells.append(f"{'-':>17} {'-':>6}")
                continue
            ratio = value / base
            row[kind + "_ns_per_sample_dk"] = value
            row[kind + "_ratio_to_d2"] = ratio
            cells.append(f"{value:17.3f} {ratio:6.2f}")
            if args.max_ratio is not None and ratio > args.max_ratio:
                print(f"per_dim.py: {kind} at D = {d} costs {ratio:.2f} x the D = 2 figure per "
                      f"(D*K), above --max-ratio {args.max_ratio:g}", file=sys.stderr)
                status = 1
            if args.strict and ratio > TARGET:
                status = 1
        rows.append(row)
        print(f"{d:>3}  " + "  ".join(cells))
    ratios = [r[k] for r in rows for k in ("forward_ratio_to_d2", "ssm_ratio_to_d2") if k in r]
    met = bool(ratios) and max(ratios) <= TARGET
    print(f"target: every ratio <= {TARGET:g}: {'met' if met else 'missed'}"
          + (f" (largest {max(ratios):.2f})" if ratios else ""))
    if args.out:
        with open(args.out + ".tmp", "w") as f:
            json.dump({"components": COMPONENTS, "target": TARGET, "rows": rows, "met": met}, f,
                      indent=2)
        os.replace(args.out + ".tmp", args.out)
    return status


if __name__ == "__main__":
    sys.exit(main())
