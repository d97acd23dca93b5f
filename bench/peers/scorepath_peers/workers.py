"""Subprocess workers, and running several of them side by side in step."""

import argparse
import json
import math
import subprocess
import sys
import time

from .common import MU, S0, SIGMA, STEPS, T1


def numpy_em_worker(args):
    """One numpy EM process, synchronised with the parent through stdin/stdout (see run_synced)."""
    import numpy as np

    dtype = np.float32 if args.precision == "float" else np.float64
    n = args.paths
    h = T1 / STEPS
    a = dtype(1.0 + MU * h)
    b = dtype(SIGMA * math.sqrt(h))
    rng = np.random.default_rng(args.seed)
    s = np.empty(n, dtype=dtype)
    z = np.empty(n, dtype=dtype)

    def run(steps):
        s.fill(S0)
        for _ in range(steps):
            rng.standard_normal(dtype=dtype, out=z)
            np.multiply(z, b, out=z)
            np.add(z, a, out=z)          # 1 + mu h + sigma sqrt(h) Z
            np.multiply(s, z, out=s)     # S + mu S h + sigma S sqrt(h) Z
        return float(s.sum(dtype=np.float64))

    run(8)  # warm-up: pages of s and z mapped, generator started
    print(json.dumps({"ready": True}), flush=True)
    total = 0.0
    for r in range(args.repeat):
        if not sys.stdin.readline():
            return 1
        start = time.time()
        t0 = time.perf_counter()
        total += run(STEPS)
        seconds = time.perf_counter() - t0
        print(json.dumps({"rep": r, "start": start, "end": time.time(), "seconds": seconds}),
              flush=True)
    print(json.dumps({"summary": True, "paths": n, "repeat": args.repeat,
                      "mean": total / (n * args.repeat)}), flush=True)
    return 0


def worker_main(argv):
    """`peers.py --worker numpy-em|blas-probe ...`: the processes the parent starts."""
    wp = argparse.ArgumentParser()
    wp.add_argument("--worker", choices=("numpy-em", "blas-probe"), required=True)
    wp.add_argument("--precision", choices=("float", "double"))
    wp.add_argument("--paths", type=int)
    wp.add_argument("--repeat", type=int)
    wp.add_argument("--seed", type=int)
    args = wp.parse_args(argv)
    if args.worker == "blas-probe":
        from .blas import probe_main
        return probe_main()
    missing = [o for o in ("precision", "paths", "repeat", "seed") if getattr(args, o) is None]
    if missing:
        wp.error("numpy-em needs " + ", ".join("--" + o for o in missing))
    return numpy_em_worker(args)


def run_synced(cmds, paths_each, repeat, env):
    """Runs the commands side by side. Each prints {"ready": true}, then for every line it reads
    from stdin one repetition and a line {"start", "end"} (epoch seconds), then a summary line with
    "mean". Returns dict(rate, best_seconds, mean, paths) where a repetition's time runs from the
    first start to the last end over all processes."""
    procs = []
    try:
        for cmd in cmds:
            procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          text=True, bufsize=1, env=env))

        def read_json(p):
            line = p.stdout.readline()
            if not line:
                p.wait()
                raise RuntimeError(f"{' '.join(p.args[:3])} ... exited with status "
                                   f"{p.returncode} before reporting")
            return json.loads(line)

        for p in procs:
            if not read_json(p).get("ready"):
                raise RuntimeError("worker did not report ready")
        spans = []
        for _ in range(repeat):
            for p in procs:
                p.stdin.write("go\n")
                p.stdin.flush()
            reps = [read_json(p) for p in procs]
            spans.append(max(r["end"] for r in reps) - min(r["start"] for r in reps))
        summaries = [read_json(p) for p in procs]
        for p in procs:
            p.stdin.close()
            if p.wait(timeout=60) != 0:
                raise RuntimeError(f"worker exited with status {p.returncode}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    total_paths = sum(paths_each)
    best = min(spans)
    mean = sum(s["mean"] * n for s, n in zip(summaries, paths_each)) / total_paths
    return {"rate": total_paths * STEPS / best, "best_seconds": best, "mean": mean,
            "paths": total_paths, "mean_count": total_paths * repeat, "processes": len(cmds),
            "summaries": summaries}
