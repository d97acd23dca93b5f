"""Shared by em_ratios.py and ssm_ratios.py: runs scorepath_bench with JSON output and reads the
items-per-second rates out of Google Benchmark's JSON. Python 3 standard library only."""

import json
import os
import statistics
import subprocess
import sys


def collect_rates(doc):
    """run_name -> (items_per_second, cpu_per_wall or None): the median aggregate when
    repetitions were run, else the mean of the iteration entries. Also run_name -> error."""
    per_run, medians, errors = {}, {}, {}
    for b in doc.get("benchmarks", []):
        name = b.get("run_name") or b.get("name", "")
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        ips = b.get("items_per_second")
        if ips is None:
            continue
        util = b.get("cpu_per_wall")
        util = None if util is None else float(util)
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = (float(ips), util)
        else:
            per_run.setdefault(name, []).append((float(ips), util))
    rates = {}
    for name, v in per_run.items():
        utils = [u for _, u in v if u is not None]
        rates[name] = (statistics.mean(x for x, _ in v), statistics.mean(utils) if utils else None)
    rates.update(medians)
    return rates, errors


def run_benchmark(tool, binary, args):
    """Runs @binary with args.filter, args.min_time, args.repetitions and args.extra; returns the
    parsed JSON or exits with a message that starts with @tool."""
    if not os.path.isfile(binary):
        sys.exit(f"{tool}: benchmark binary not found: {binary} "
                 "(build it: cmake --build build --target scorepath_bench)")
    cmd = [binary, "--benchmark_format=json"]
    if args.filter:
        cmd.append(f"--benchmark_filter={args.filter}")
    if args.min_time is not None:
        cmd.append(f"--benchmark_min_time={args.min_time}")
    if args.repetitions > 1:
        cmd += [f"--benchmark_repetitions={args.repetitions}",
                "--benchmark_report_aggregates_only=true"]
    cmd += args.extra
    print("running: " + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # progress goes to stderr
    if proc.returncode != 0:
        sys.exit(f"{tool}: benchmark exited with status {proc.returncode}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        sys.exit(f"{tool}: benchmark output is not JSON: {e}")
