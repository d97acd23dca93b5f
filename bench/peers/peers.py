#!/usr/bin/env python3
"""scorepath side by side with other libraries, at the same problem sizes and thread count.

One command runs every comparison, prints a table of rates and ratios (ours/theirs, higher is
better for scorepath) and writes the numbers as JSON (--out).

Euler-Maruyama, GBM 1-D: dS = 0.05 S dt + 0.2 S dW, S(0) = 100, t in [0, 1], 256 steps.
  Rates are path-steps per second (paths x 256 / wall seconds of one run; best of --repeat).
  - scorepath CPU: scorepath_bench em_cpu/gbm1/<T>/statistics/paths:<N>/cpu_threads:<threads>,
    and the raw Philox normal rate normals_cpu/<T>/streams:1000000/draws:256 (target: EM rate /
    raw normal rate >= 0.7, as in bench/em_ratios.py). E[S(1)] comes from `scorepath simulate`.
  - numpy: the vectorised loop S *= 1 + mu h + sigma sqrt(h) Z over all paths, Z from
    Generator.standard_normal(out=...). NumPy runs these in one thread, so --threads processes
    each take an equal share of the paths, started together (a barrier before every repetition).
  - PyTorch eager: the same loop on tensors with in-place ops, torch.set_num_threads(threads).
  - QuantLib (double only): PathGenerator<PseudoRandom> over GeometricBrownianMotionProcess,
    whose default Euler discretisation is the same scheme (bench/peers/em_quantlib.cpp). Single
    threaded, so run as --threads processes like numpy, at most --quantlib-max-paths paths in all.
  Every peer's E[S(1)] is checked against the exact mean of the Euler-Maruyama chain,
  S0 (1 + mu h)^256 (z-score with the exact variance), so a wrong simulation is not timed as a
  right one.

Sliced score matching (float), Gaussian probes, M = 1 and 4 probes per sample:
  models: gmm16 (8-component diagonal mixture in 16-D), mlp2 (2-128-128-2, softplus),
  mlp64 (64-256-256-64, softplus). bench/peers/ssm_driver (scorepath CPU) draws the samples and the
  weights, computes the loss, writes weights, samples and the probes it drew, and times
  sliced_score_matching. PyTorch then recomputes the loss with the same weights, samples and
  probes:
  - double backprop (Song et al. 2019): the batch replicated M times, S = s(x),
    loss = mean[0.5 (v.S)^2 + v . grad_x(v.S)] with torch.autograd.grad(create_graph=True);
  - forward mode: functorch.jvp (or torch.autograd.forward_ad when functorch is missing) gives
    (S, J v) in one pass; the faster of "batch replicated M times" and "vmap over the M probes"
    is reported.
  scorepath's loss is unscaled, SSM = mean[(v'S)^2 + 2 v'Jv]; PyTorch's value is doubled to that
  convention. A time is reported only after the two losses agree to --rtol (relative).
  PyTorch evaluates the N samples in mini-batches (rows = samples x M per call; each batch's
  graph is freed before the next), by default the fastest of 1024, 4096, 16384 rows and all N x M
  rows, since its time per sample rises steeply at large batches (--torch-batch-rows).
  Rates are samples per second (N / wall seconds of one loss evaluation, best of
  max(--repeat, 5) after a warm-up call, on both sides). PyTorch is given the probes (its own
  randn is not timed); scorepath draws them in the timed call. The weights are constants on both
  sides: neither forms parameter gradients. Targets: ours/PyTorch double backprop >= 20x on gmm16, >= 3x on both MLPs.

All runs use the same thread count: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS are
set before numpy or torch is imported, torch.set_num_threads(threads), and scorepath's
cpu_threads / --threads. Sizes are chosen so the whole run takes a few minutes on 2 cores; peers
that are much slower run fewer paths (the "peer N" column) and are compared per item.

Examples (from the repository root, after bash scripts/setup_peers.sh and a build with
SCOREPATH_BUILD_BENCHMARKS=ON):
  python3 bench/peers/peers.py --threads 2 --out peers.json
  python3 bench/peers/peers.py --build-dir build-peers --only ssm --ssm-models gmm16
  python3 bench/peers/peers.py --quick              # small sizes: checks that everything runs

Debian's python3-numpy and python3-torch are installed for /usr/bin/python3; when the running
interpreter imports neither, the script restarts itself under /usr/bin/python3 (--no-reexec to
stop that). A peer that is not installed is skipped with a note.

Exit status: 0; 1 with --strict when a check fails or a target is missed; 2 on usage errors or
when scorepath's own binaries are missing.
"""

import argparse
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

# ------------------------------------------------------------------------------------------------
# Problem constants (the GBM case of bench/bench_em.cpp)
# ------------------------------------------------------------------------------------------------
MU, SIGMA, S0, T1, STEPS = 0.05, 0.2, 100.0, 1.0, 256
SSM_TARGETS = {"gmm16": 20.0, "mlp2": 3.0, "mlp64": 3.0}   # ours / torch double backprop
EM_RAW_TARGET = 0.7                                         # our EM rate / raw normal rate
DEFAULT_SSM_SAMPLES = {"gmm16": 16384, "mlp2": 16384, "mlp64": 8192}
SSM_MODELS = ("gmm16", "mlp2", "mlp64")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def em_exact_moments(steps=STEPS):
    """Exact mean and variance of S after `steps` Euler-Maruyama steps of the GBM."""
    h = T1 / steps
    mean = S0 * (1.0 + MU * h) ** steps
    second = S0 * S0 * ((1.0 + MU * h) ** 2 + SIGMA * SIGMA * h) ** steps
    return mean, second - mean * mean


def mean_z(mean, count):
    if mean is None or not count:
        return None
    exact, var = em_exact_moments()
    return (mean - exact) / math.sqrt(var / count)


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


# ------------------------------------------------------------------------------------------------
# Worker: one numpy EM process (run by the parent, synchronised through stdin/stdout)
# ------------------------------------------------------------------------------------------------
def numpy_em_worker(args):
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


# ------------------------------------------------------------------------------------------------
# Process-parallel peers: start all, release them together before every repetition
# ------------------------------------------------------------------------------------------------
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


def split_paths(total, parts):
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts) if base + (1 if i < extra else 0)]


# ------------------------------------------------------------------------------------------------
# EM peers
# ------------------------------------------------------------------------------------------------
def em_numpy(args, precision, paths, env):
    procs = max(1, args.numpy_procs)
    shares = split_paths(paths, procs)
    cmds = [[sys.executable, os.path.abspath(__file__), "--worker", "numpy-em",
             "--precision", precision, "--paths", str(n), "--repeat", str(args.repeat),
             "--seed", str(1000 + i)] for i, n in enumerate(shares)]
    r = run_synced(cmds, shares, args.repeat, env)
    r["label"] = f"numpy ({len(shares)} proc{'s' if len(shares) > 1 else ''})"
    return r


def em_torch(args, precision, paths):
    import torch

    dtype = torch.float32 if precision == "float" else torch.float64
    h = T1 / STEPS
    a = 1.0 + MU * h
    b = SIGMA * math.sqrt(h)
    gen = torch.Generator().manual_seed(7)
    s = torch.empty(paths, dtype=dtype)
    z = torch.empty(paths, dtype=dtype)

    def run(steps):
        s.fill_(S0)
        for _ in range(steps):
            z.normal_(generator=gen)
            z.mul_(b).add_(a)      # 1 + mu h + sigma sqrt(h) Z
            s.mul_(z)
        return float(s.sum(dtype=torch.float64))

    run(8)
    best = math.inf
    total = 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        total += run(STEPS)
        best = min(best, time.perf_counter() - t0)
    cpu_per_wall = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return {"rate": paths * STEPS / best, "best_seconds": best,
            "mean": total / (paths * args.repeat), "paths": paths,
            "mean_count": paths * args.repeat, "label": f"torch eager ({args.threads} thr)",
            "cpu_per_wall": cpu_per_wall}


def em_quantlib(args, paths, driver, env):
    procs = max(1, args.numpy_procs)
    shares = split_paths(paths, procs)
    cmds = [[driver, "--paths", str(n), "--steps", str(STEPS), "--mu", repr(MU),
             "--sigma", repr(SIGMA), "--s0", repr(S0), "--t1", repr(T1),
             "--seed", str(42 + i), "--repeat", str(args.repeat), "--sync"]
            for i, n in enumerate(shares)]
    r = run_synced(cmds, shares, args.repeat, env)
    r["label"] = f"QuantLib ({len(shares)} proc{'s' if len(shares) > 1 else ''})"
    return r


def run_our_bench(bench, threads, precisions, sizes, args):
    """Best items_per_second of every EM and raw-normal case, from scorepath_bench."""
    prec = "|".join(precisions)
    size = "|".join(str(n) for n in sizes)
    filt = (rf"^(em_cpu/gbm1/({prec})/statistics/paths:({size})/cpu_threads:{threads}/"
            rf"|normals_cpu/({prec})/streams:(10000|1000000)/draws:{STEPS}/cpu_threads:{threads}/)")
    cmd = [bench, "--benchmark_format=json", f"--benchmark_filter={filt}",
           f"--benchmark_repetitions={args.repeat}"]
    if args.min_time is not None:
        cmd.append(f"--benchmark_min_time={args.min_time}")
    log("running: " + " ".join(cmd))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scorepath_bench exited with status {proc.returncode}: "
                           f"{proc.stderr.strip()[-500:]}")
    doc = json.loads(proc.stdout)
    best = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        name = b.get("run_name") or b["name"]
        ips = b.get("items_per_second")
        if ips is None:
            continue
        if name not in best or ips > best[name]["rate"]:
            best[name] = {"rate": float(ips), "cpu_per_wall": b.get("cpu_per_wall"), "name": name}
    return best, " ".join(cmd[:1] + [f"'{c}'" if "|" in c else c for c in cmd[1:]])


def run_our_cli(cli, threads, precision, paths, workdir):
    out = os.path.join(workdir, f"simulate_{precision}_{paths}.json")
    cmd = [cli, "simulate", "--sde", "gbm", "--mu", repr(MU), "--sigma", repr(SIGMA),
           "--x0", repr(S0), "--t1", repr(T1), "--paths", str(paths), "--steps", str(STEPS),
           "--precision", precision, "--backend", "cpu", "--threads", str(threads), "--json", out]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scorepath simulate exited with status {proc.returncode}: "
                           f"{proc.stderr.strip()}")
    with open(out, encoding="utf-8") as f:
        doc = json.load(f)
    final = [s for s in doc["statistics"] if s["step"] == STEPS and s["component"] == 0][0]
    return {"mean": final["mean"], "mean_count": final["count"], "seconds": doc["seconds"],
            "rate": doc["path_steps_per_second"], "command": " ".join(cmd)}


def em_section(args, env, ctx):
    res = {"rows": [], "ours": {}, "raw": {}, "notes": [], "problem": {
        "sde": "geometric Brownian motion", "mu": MU, "sigma": SIGMA, "s0": S0, "t1": T1,
        "steps": STEPS, "exact_mean": em_exact_moments()[0],
        "exact_variance": em_exact_moments()[1]}}
    threads = args.threads
    sizes = args.em_paths
    precisions = args.em_precisions

    # --- scorepath
    bench_rates = {}
    if ctx["bench"]:
        try:
            bench_rates, cmd = run_our_bench(ctx["bench"], threads, precisions, sizes, args)
            res["bench_command"] = cmd
        except (RuntimeError, json.JSONDecodeError) as e:
            res["notes"].append(f"scorepath_bench failed: {e}")
    for precision in precisions:
        raw_same = bench_rates.get(f"normals_cpu/{precision}/streams:1000000/draws:{STEPS}/"
                                   f"cpu_threads:{threads}/process_time/real_time")
        raw_small = bench_rates.get(f"normals_cpu/{precision}/streams:10000/draws:{STEPS}/"
                                    f"cpu_threads:{threads}/process_time/real_time")
        res["raw"][precision] = {"same": raw_same, "small": raw_small}
        for paths in sizes:
            key = f"{precision}/{paths}"
            em = bench_rates.get(f"em_cpu/gbm1/{precision}/statistics/paths:{paths}/"
                                 f"cpu_threads:{threads}/process_time/real_time")
            ours = {"rate": em["rate"] if em else None,
                    "cpu_per_wall": em["cpu_per_wall"] if em else None,
                    "source": "scorepath_bench" if em else None}
            if ctx["cli"]:
                try:
                    cli = run_our_cli(ctx["cli"], threads, precision, paths, ctx["workdir"])
                    ours.update(mean=cli["mean"], mean_count=cli["mean_count"],
                                cli_rate=cli["rate"], cli_command=cli["command"])
                    if ours["rate"] is None:   # thread count the benchmark does not register
                        ours.update(rate=cli["rate"], source="scorepath simulate (one run)")
                except RuntimeError as e:
                    res["notes"].append(str(e))
            if ours["rate"] is None:
                res["notes"].append(f"no scorepath EM rate for {precision}, {paths} paths "
                                    f"(scorepath_bench registers cpu_threads 1 and 2 only)")
            res["ours"][key] = ours
    if not bench_rates and ctx["bench"]:
        res["notes"].append("raw normal rates need scorepath_bench with cpu_threads 1 or 2")

    # --- peers
    have_numpy = importlib.util.find_spec("numpy") is not None
    have_torch = importlib.util.find_spec("torch") is not None
    peers = []
    if have_numpy:
        peers.append("numpy")
    else:
        res["notes"].append(f"numpy: not installed for {sys.executable} "
                            "(bash scripts/setup_peers.sh), skipped")
    if have_torch:
        peers.append("torch")
    else:
        res["notes"].append(f"torch: not installed for {sys.executable} "
                            "(bash scripts/setup_peers.sh), skipped")
    if ctx["quantlib"]:
        peers.append("quantlib")
    else:
        res["notes"].append("QuantLib: em_quantlib not built (QuantLib not found when "
                            "configuring, or the peers drivers were not built), skipped")

    for precision in precisions:
        for paths in sizes:
            for peer in peers:
                if peer == "quantlib" and precision != "double":
                    continue   # QuantLib's Real is double
                peer_paths = paths
                if peer == "numpy" and args.numpy_max_paths:
                    peer_paths = min(paths, args.numpy_max_paths)
                if peer == "torch" and args.torch_max_paths:
                    peer_paths = min(paths, args.torch_max_paths)
                if peer == "quantlib":
                    peer_paths = min(paths, args.quantlib_max_paths)
                log(f"EM {peer} {precision} {peer_paths} paths ...")
                load0 = loadavg()
                try:
                    if peer == "numpy":
                        r = em_numpy(args, precision, peer_paths, env)
                    elif peer == "torch":
                        r = em_torch(args, precision, peer_paths)
                    else:
                        r = em_quantlib(args, peer_paths, ctx["quantlib"], env)
                except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as e:
                    res["notes"].append(f"{peer} {precision} {paths}: failed: {e}")
                    continue
                r.pop("summaries", None)
                r.update(peer=peer, precision=precision, paths=paths, peer_paths=peer_paths,
                         load_before=load0, load_after=loadavg())
                r["z"] = mean_z(r["mean"], r["mean_count"])
                ours = res["ours"].get(f"{precision}/{paths}", {})
                r["ours_rate"] = ours.get("rate")
                r["ratio"] = (ours["rate"] / r["rate"]) if ours.get("rate") and r["rate"] else None
                res["rows"].append(r)

    # Our EM rate against the raw normal rate (one normal per path-step).
    res["raw_ratios"] = []
    for precision in precisions:
        same = res["raw"][precision]["same"]
        small = res["raw"][precision]["small"]
        for paths in sizes:
            ours = res["ours"][f"{precision}/{paths}"]
            em = ours.get("rate") if ours.get("source") == "scorepath_bench" else None
            r_same = em / same["rate"] if em and same else None
            r_small = em / small["rate"] if em and small else None
            res["raw_ratios"].append({
                "precision": precision, "paths": paths, "em_rate": em,
                "raw_same_rate": same["rate"] if same else None,
                "raw_small_rate": small["rate"] if small else None,
                "raw_same_cpu_per_wall": same["cpu_per_wall"] if same else None,
                "ratio_same": r_same, "ratio_small": r_small, "target": EM_RAW_TARGET,
                "meets_target": None if r_same is None else r_same >= EM_RAW_TARGET})
    return res


def print_em(res, args, versions):
    exact = res["problem"]["exact_mean"]
    print(f"Euler-Maruyama, GBM 1-D: dS = {MU} S dt + {SIGMA} S dW, S(0) = {S0:g}, t in [0, {T1:g}], "
          f"{STEPS} steps; {args.threads} threads; best of {args.repeat}")
    print(f"rates in million path-steps/s; ratio = ours / peer (same precision, same paths, "
          f"per path-step); exact EM-chain E[S(1)] = {exact:.4f}")
    hdr = (f"{'prec':6} {'paths':>8}  {'peer':28} {'peer N':>8}  {'peer M/s':>9}  {'ours M/s':>9}"
           f"  {'ours/peer':>9}  {'E[S(1)]':>9} {'z':>6}")
    print(hdr)
    print("-" * len(hdr))
    order = {"numpy": 0, "torch": 1, "quantlib": 2}
    for precision in args.em_precisions:
        for paths in args.em_paths:
            ours = res["ours"].get(f"{precision}/{paths}", {})
            z = mean_z(ours.get("mean"), ours.get("mean_count"))
            print(f"{precision:6} {paths:>8}  {'scorepath CPU':28} {paths:>8}  {'':>9}  "
                  f"{fmt_m(ours.get('rate')):>9}  {'':>9}  {fmt_f(ours.get('mean'), 4):>9} "
                  f"{fmt_f(z, 2):>6}")
            rows = [r for r in res["rows"] if r["precision"] == precision and r["paths"] == paths]
            for r in sorted(rows, key=lambda r: order[r["peer"]]):
                label = r["label"] + " " + versions.get(r["peer"], "")
                star = "*" if r["peer_paths"] != paths else " "
                print(f"{'':6} {'':>8}  {label.strip():28} {r['peer_paths']:>8}{star} "
                      f"{fmt_m(r['rate']):>9}  {fmt_m(r['ours_rate']):>9}  "
                      f"{fmt_x(r['ratio']):>9}  {fmt_f(r['mean'], 4):>9} {fmt_f(r['z'], 2):>6}"
                      f"{'  MEAN OFF' if r['z'] is not None and abs(r['z']) > 5 else ''}")
    if any(r["peer_paths"] != r["paths"] for r in res["rows"]):
        print("* peer run with fewer paths (per-path cost does not depend on the path count for "
              "this peer); its rate is per path-step, compared with ours at the full size")
    print()
    print(f"scorepath EM rate / raw Philox normal rate (target >= {EM_RAW_TARGET}; raw(same): "
          f"generate_normals 1e6 x {STEPS}, raw(small): 1e4 x {STEPS})")
    hdr = (f"{'prec':6} {'paths':>8}  {'EM M/s':>9}  {'raw(same)':>9}  {'ratio':>6}  "
           f"{'raw(small)':>10}  {'ratio':>6}  result")
    print(hdr)
    print("-" * len(hdr))
    for r in res["raw_ratios"]:
        verdict = {None: "n/a", True: "ok", False: "BELOW"}[r["meets_target"]]
        if r["paths"] != 1_000_000 and r["meets_target"] is not None:
            verdict += " (the target is stated for 1e6 paths)"
        print(f"{r['precision']:6} {r['paths']:>8}  {fmt_m(r['em_rate']):>9}  "
              f"{fmt_m(r['raw_same_rate']):>9}  {fmt_f(r['ratio_same'], 3):>6}  "
              f"{fmt_m(r['raw_small_rate']):>10}  {fmt_f(r['ratio_small'], 3):>6}  {verdict}")
    starved = [f"{k} EM ({v['cpu_per_wall']:.2f})" for k, v in res["ours"].items()
               if v.get("cpu_per_wall") is not None and v["cpu_per_wall"] < 0.8 * args.threads]
    starved += [f"{p} raw normals 1e6 ({v['same']['cpu_per_wall']:.2f})"
                for p, v in res["raw"].items()
                if v.get("same") and v["same"].get("cpu_per_wall") is not None
                and v["same"]["cpu_per_wall"] < 0.8 * args.threads]
    if starved:
        print("note: scorepath runs whose process CPU time stayed below 0.8 x threads x wall time "
              "(their threads did not get their CPUs; rates not valid): " + ", ".join(starved))
    for n in res["notes"]:
        print("note: " + n)


# ------------------------------------------------------------------------------------------------
# SSM
# ------------------------------------------------------------------------------------------------
def read_mlp_file(path):
    """(dim, hidden, activation, flat parameters as a list of floats) from a scorepath-mlp file."""
    header = {}
    numbers = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "parameters" in header:
                numbers.extend(float(t) for t in line.split())
                continue
            word, _, rest = line.partition(" ")
            header[word] = rest.split()
    if header.get("scorepath-mlp") != ["1"]:
        raise ValueError(f"{path}: not a scorepath-mlp version 1 file")
    dim = int(header["dim"][0])
    hidden = [int(w) for w in header.get("hidden", [])]
    count = int(header["parameters"][0])
    if len(numbers) != count:
        raise ValueError(f"{path}: {len(numbers)} parameters, header says {count}")
    return dim, hidden, header["activation"][0], numbers


def torch_mlp(path):
    import torch
    import torch.nn.functional as F

    dim, hidden, activation, flat = read_mlp_file(path)
    if activation != "softplus":
        raise ValueError(f"{path}: activation {activation}, this comparison uses softplus")
    p = torch.tensor(flat, dtype=torch.float64).to(torch.float32)
    widths = [dim] + hidden + [dim]
    layers = []
    off = 0
    for w_in, w_out in zip(widths[:-1], widths[1:]):
        weight = p[off:off + w_out * w_in].reshape(w_out, w_in).contiguous()
        off += w_out * w_in
        bias = p[off:off + w_out].contiguous()
        off += w_out
        layers.append((weight, bias))

    def score(x):
        for i, (weight, bias) in enumerate(layers):
            x = F.linear(x, weight, bias)
            if i + 1 < len(layers):
                x = F.softplus(x)
        return x

    return score


def torch_gmm(path):
    import numpy as np
    import torch

    with open(path, encoding="utf-8") as f:
        g = json.load(f)
    d, c = g["dim"], g["components"]
    w = np.array(g["weights"], dtype=np.float32).astype(np.float64)
    means = np.array(g["means"], dtype=np.float32).reshape(c, d)
    var = np.array(g["variances"], dtype=np.float32).astype(np.float64).reshape(c, d)
    prec = (1.0 / var).astype(np.float32)
    # log pi_c + 1/2 sum_i log(1/sigma_ci^2), as scorepath forms it (double, then float)
    lwn = (np.log(w / w.sum()) - 0.5 * np.log(var).sum(axis=1)).astype(np.float32)
    mu_t = torch.from_numpy(means.copy())
    prec_t = torch.from_numpy(prec)
    lwn_t = torch.from_numpy(lwn)

    def score(x):                                   # x: [B, D]
        diff = mu_t - x.unsqueeze(1)                # [B, C, D]  mu_c - x
        pd = diff * prec_t                          # (mu_c - x) / sigma_c^2
        quad = (diff * pd).sum(-1)                  # [B, C]
        r = torch.softmax(lwn_t - 0.5 * quad, dim=-1)
        return (r.unsqueeze(-1) * pd).sum(1)        # sum_c r_c (mu_c - x) / sigma_c^2

    return score


def ssm_double_backprop(score, x, v):
    """Song et al.'s sliced score matching: x [N, D], v [M*N, D] in their layout (particle-major).
    Returns mean[0.5 (v.S)^2 + v.grad(v.S)]."""
    import torch

    m = v.shape[0] // x.shape[0]
    dup = x.unsqueeze(0).expand(m, *x.shape).contiguous().view(-1, x.shape[1])
    dup.requires_grad_(True)
    s = score(dup)
    gradv = torch.sum(s * v)
    loss1 = torch.sum(s * v, dim=-1) ** 2 * 0.5
    grad2 = torch.autograd.grad(gradv, dup, create_graph=True)[0]
    loss2 = torch.sum(v * grad2, dim=-1)
    return (loss1 + loss2).mean()


def make_jvp():
    """(jvp function, name): functorch.jvp, or torch.autograd.forward_ad."""
    try:
        import functorch

        return functorch.jvp, functorch.vmap, "functorch.jvp"
    except ImportError:
        pass
    try:
        from torch.func import jvp, vmap

        return jvp, vmap, "torch.func.jvp"
    except ImportError:
        pass
    import torch.autograd.forward_ad as fwad

    def jvp(f, primals, tangents):
        with fwad.dual_level():
            out = f(fwad.make_dual(primals[0], tangents[0]))
            p, t = fwad.unpack_dual(out)
        return p, t

    return jvp, None, "torch.autograd.forward_ad"


def ssm_jvp_replicated(jvp, score, x, v):
    m = v.shape[0] // x.shape[0]
    dup = x.unsqueeze(0).expand(m, *x.shape).contiguous().view(-1, x.shape[1])
    s, jv = jvp(score, (dup,), (v,))
    p = (v * s).sum(-1)
    q = (v * jv).sum(-1)
    return (0.5 * p * p + q).mean()


def ssm_jvp_vmap(jvp, vmap, score, x, v):
    """The primal once, the M probes as a vmapped batch of tangents."""
    m = v.shape[0] // x.shape[0]
    vb = v.view(m, *x.shape)
    s, jv = vmap(lambda t: jvp(score, (x,), (t,)))(vb)
    p = (vb * s).sum(-1)
    q = (vb * jv).sum(-1)
    return (0.5 * p * p + q).mean()


def batched(loss_fn, score, x, v, m, batch_rows):
    """A callable that evaluates loss_fn over the samples in mini-batches of at most batch_rows
    rows (samples x M), returning the mean over all samples as a float. Each mini-batch's graph is
    released before the next one starts, as in a training loop."""
    n, d = x.shape
    per = n if batch_rows >= n * m else max(1, batch_rows // m)
    if per >= n:
        return lambda: float(loss_fn(score, x, v))
    vb = v.view(m, n, d)
    chunks = [(x[a:a + per], vb[:, a:a + per].reshape(-1, d).contiguous(), min(per, n - a) / n)
              for a in range(0, n, per)]

    def run():
        total = 0.0
        for xc, vc, weight in chunks:
            total += float(loss_fn(score, xc, vc)) * weight
        return total

    return run


def torch_ssm_measure(loss_fn, score, x, v, m, ours_loss, args):
    """Checks the loss against ours, then times it. With --torch-batch-rows auto, the mini-batch
    size (rows = samples x M per call) is the fastest of 1024, 4096, 16384 rows and the whole
    batch, each timed once after a warm-up call; PyTorch's time per sample grows at large batches
    (fresh buffers are page-faulted in on every call), so one fixed batch could put it at a
    disadvantage."""
    n = x.shape[0]
    rows = n * m
    out = {}
    full = batched(loss_fn, score, x, v, m, rows)
    value = 2.0 * full()
    rel, ok = agree(ours_loss, value, args.rtol)
    out.update(loss=value, rel_diff=rel, agrees=ok)
    if not ok:
        return out
    if args.torch_batch_rows == "auto":
        candidates = sorted({r for r in (1024, 4096, 16384) if r < rows} | {rows})
        sweep = {}
        for r in candidates:
            fn = batched(loss_fn, score, x, v, m, r)
            fn()
            t0 = time.perf_counter()
            fn()
            sweep[r] = time.perf_counter() - t0
        batch_rows = min(sweep, key=sweep.get)
        out["batch_sweep_seconds"] = {str(k): t for k, t in sweep.items()}
    else:
        batch_rows = rows if args.torch_batch_rows == 0 else min(rows, args.torch_batch_rows)
    fn = batched(loss_fn, score, x, v, m, batch_rows)
    if batch_rows != rows:   # the loss again, as evaluated in the timed mini-batches
        value = 2.0 * fn()
        rel, ok = agree(ours_loss, value, args.rtol)
        out.update(loss=value, rel_diff=rel, agrees=ok)
        if not ok:
            return out
    per = min(n, max(1, batch_rows // m))
    best, cpu_wall = time_best(fn, args.ssm_repeat)
    out.update(batch_rows=per * m, best_seconds=best, samples_per_second=n / best,
               cpu_per_wall=cpu_wall)
    return out


def time_best(fn, repeat):
    fn()   # warm-up
    best = math.inf
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best, (time.process_time() - cpu0) / (time.perf_counter() - wall0)


def agree(ours, theirs, rtol):
    rel = abs(ours - theirs) / max(abs(ours), abs(theirs), 1e-30)
    return rel, rel <= rtol


def ssm_section(args, ctx):
    res = {"rows": [], "notes": [], "convention": "mean over samples and probes of "
           "(v'S)^2 + 2 v'Jv (scorepath unscaled; PyTorch's Song et al. value x 2)"}
    if not ctx["ssm_driver"]:
        res["notes"].append("ssm_driver not built: no SSM comparison (build bench/peers)")
        return res
    have_torch = importlib.util.find_spec("torch") is not None and \
        importlib.util.find_spec("numpy") is not None
    if not have_torch:
        res["notes"].append(f"torch: not installed for {sys.executable} "
                            "(bash scripts/setup_peers.sh); scorepath alone is timed")
    else:
        import numpy as np
        import torch

        torch.set_num_threads(args.threads)
        jvp, vmap, jvp_name = make_jvp()
        res["jvp"] = jvp_name

    for model in args.ssm_models:
        n = args.ssm_samples[model]
        for m in args.ssm_probes:
            case_dir = os.path.join(ctx["workdir"], f"ssm_{model}_M{m}")
            os.makedirs(case_dir, exist_ok=True)
            cmd = [ctx["ssm_driver"], "--model", model, "--samples", str(n), "--probes", str(m),
                   "--threads", str(args.threads), "--repeat", str(args.ssm_repeat),
                   "--dir", case_dir]
            log(f"SSM {model} M={m} N={n}: " + " ".join(cmd))
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if proc.returncode != 0:
                res["notes"].append(f"ssm_driver {model} M={m} failed: {proc.stderr.strip()}")
                continue
            ours = json.loads(proc.stdout)
            row = {"model": model, "probes": m, "samples": n, "dim": ours["dim"],
                   "ours": {"loss": ours["ssm"], "std_error": ours["ssm_std_error"],
                            "best_seconds": ours["best_seconds"],
                            "samples_per_second": ours["samples_per_second"],
                            "command": " ".join(cmd)},
                   "peers": [], "target": SSM_TARGETS.get(model)}
            res["rows"].append(row)
            if not have_torch:
                continue
            d = ours["dim"]
            x = torch.from_numpy(np.fromfile(ours["files"]["samples"], dtype="<f4").reshape(n, d))
            probes = np.fromfile(ours["files"]["probes"], dtype="<f4").reshape(n, m, d)
            # Song et al.'s layout: row j*N + s is probe j of sample s.
            v = torch.from_numpy(np.ascontiguousarray(probes.transpose(1, 0, 2)).reshape(m * n, d))
            score = torch_gmm(ours["files"]["weights"]) if model.startswith("gmm") else \
                torch_mlp(ours["files"]["weights"])

            variants = [("double backprop", "torch.autograd.grad(create_graph=True)",
                         ssm_double_backprop)]
            variants.append(("forward jvp", f"{jvp_name}, batch x M",
                             lambda s_, xc, vc: ssm_jvp_replicated(jvp, s_, xc, vc)))
            if vmap is not None and m > 1:
                variants.append(("forward jvp", f"{jvp_name}, vmap over M",
                                 lambda s_, xc, vc: ssm_jvp_vmap(jvp, vmap, s_, xc, vc)))
            measured = []
            for kind, how, loss_fn in variants:
                entry = {"peer": kind, "method": how}
                log(f"  torch {how}")
                try:
                    entry.update(torch_ssm_measure(loss_fn, score, x, v, m, ours["ssm"], args))
                except (RuntimeError, NotImplementedError) as e:   # e.g. an op without a jvp rule
                    entry.update(error=f"{type(e).__name__}: {str(e)[:200]}")
                if "samples_per_second" in entry:
                    entry["ratio"] = ours["samples_per_second"] / entry["samples_per_second"]
                measured.append(entry)
            # The double-backprop row, and the faster forward-mode variant.
            row["peers"].append(measured[0])
            fwd_rows = measured[1:]
            timed = [e for e in fwd_rows if "samples_per_second" in e]
            if timed:
                pick = max(timed, key=lambda e: e["samples_per_second"])
            else:
                pick = fwd_rows[0]
            pick = dict(pick)
            pick["variants"] = [{k: e.get(k) for k in ("method", "loss", "rel_diff",
                                                       "batch_rows", "samples_per_second",
                                                       "error")}
                                for e in fwd_rows]
            row["peers"].append(pick)
            for e in row["peers"]:
                e["meets_target"] = None
                if e["peer"] == "double backprop" and row["target"] and e.get("ratio"):
                    e["meets_target"] = e["ratio"] >= row["target"]
    return res


def print_ssm(res, args, versions):
    print(f"Sliced score matching, float, Gaussian probes; {args.threads} threads; best of "
          f"{args.ssm_repeat} after a warm-up call, both sides")
    print("loss = mean[(v'S)^2 + 2 v'Jv] (scorepath unscaled; PyTorch's 0.5 p^2 + q doubled); "
          f"a time is reported only when |ours - peer| <= {args.rtol:g} x |loss|")
    print("rates in samples/s (N samples with M probes each per evaluation); ratio = ours / peer;"
          " rows/call: PyTorch mini-batch (samples x M)")
    hdr = (f"{'model':6} {'M':>2} {'N':>6}  {'peer':23} {'loss ours':>10} {'loss peer':>10} "
           f"{'rel.diff':>8}  {'ours smp/s':>11} {'peer smp/s':>10} {'rows/call':>9} "
           f"{'ours/peer':>9}  target")
    print(hdr)
    print("-" * len(hdr))
    for row in res["rows"]:
        o = row["ours"]
        lead = f"{row['model']:6} {row['probes']:>2} {row['samples']:>6}  "
        if not row["peers"]:
            print(lead + f"{'(scorepath only)':23} {o['loss']:>10.6g} {'':>10} {'':>8}  "
                  f"{fmt_i(o['samples_per_second']):>11}")
        for e in row["peers"]:
            if e["peer"] == "double backprop":
                label = "torch double backprop"
            elif "vmap" in e["method"]:
                label = "torch jvp (vmap over M)"
            else:
                label = "torch jvp" + (" (batch x M)" if row["probes"] > 1 else "")
            if "error" in e:
                print(lead + f"{label:23} {o['loss']:>10.6g} {'failed':>10}  {e['error'][:70]}")
                continue
            if e["agrees"]:
                target = ""
                if e["peer"] == "double backprop" and row["target"]:
                    target = f">={row['target']:g}x {'ok' if e['meets_target'] else 'MISSED'}"
                print(lead + f"{label:23} {o['loss']:>10.6g} {e['loss']:>10.6g} "
                      f"{e['rel_diff']:>8.1e}  {fmt_i(o['samples_per_second']):>11} "
                      f"{fmt_i(e['samples_per_second']):>10} {e['batch_rows']:>9} "
                      f"{fmt_x(e['ratio']):>9}  {target}")
            else:
                print(lead + f"{label:23} {o['loss']:>10.6g} {e['loss']:>10.6g} "
                      f"{e['rel_diff']:>8.1e}  MISMATCH (> {args.rtol:g}): no time reported")
    for n in res["notes"]:
        print("note: " + n)


# ------------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------------
def fmt_m(x):
    return "-" if x is None else f"{x / 1e6:.1f}"


def fmt_f(x, digits):
    return "-" if x is None else f"{x:.{digits}f}"


def fmt_x(x):
    return "-" if x is None else (f"{x:.2f}x" if x < 100 else f"{x:.0f}x")


def fmt_i(x):
    return "-" if x is None else f"{x:,.0f}"


# ------------------------------------------------------------------------------------------------
# Setup
# ------------------------------------------------------------------------------------------------
def find_binary(explicit, candidates, what):
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            sys.exit(f"peers.py: {what} not found or not executable: {explicit}")
        return explicit
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def peer_versions():
    v = {}
    if importlib.util.find_spec("numpy") is not None:
        import numpy
        v["numpy"] = numpy.__version__
    if importlib.util.find_spec("torch") is not None:
        import torch
        v["torch"] = torch.__version__.split("a0")[0].split("+")[0]
    return v


def blas_note():
    """PyTorch's matrix products with the netlib reference BLAS would be far from its usual
    speed: say so when that is the library loaded."""
    try:
        import torch
        torch.mm(torch.ones(64, 64), torch.ones(64, 64))
        with open("/proc/self/maps", encoding="utf-8") as f:
            maps = f.read()
    except (ImportError, OSError):
        return None
    libs = sorted({line.split()[-1] for line in maps.splitlines()
                   if "blas" in line.split()[-1].lower()})
    if libs and not any(k in " ".join(libs).lower() for k in ("openblas", "mkl", "blis")):
        return ("PyTorch is using the reference BLAS (" + ", ".join(libs) + "): install an "
                "optimised one (bash scripts/setup_peers.sh installs libopenblas0-openmp)")
    return None


def parse_sizes(text, name):
    out = []
    for t in text.split(","):
        t = t.strip().lower().replace("_", "")
        try:
            out.append(int(float(t)) if "e" in t else int(t))
        except ValueError:
            sys.exit(f"peers.py: {name}: '{t}' is not a count")
        if out[-1] < 1:
            sys.exit(f"peers.py: {name}: counts must be at least 1")
    return out


def maybe_reexec(args_list):
    """Restart under /usr/bin/python3 when this interpreter has neither numpy nor torch and the
    system one has them (Debian's python3-numpy / python3-torch)."""
    if "--no-reexec" in args_list or os.environ.get("SCOREPATH_PEERS_REEXEC"):
        return
    if importlib.util.find_spec("numpy") or importlib.util.find_spec("torch"):
        return
    system = "/usr/bin/python3"
    if not os.path.exists(system) or os.path.realpath(sys.executable) == os.path.realpath(system):
        return
    probe = subprocess.run([system, "-c", "import numpy"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return
    log(f"peers.py: {sys.executable} has neither numpy nor torch; restarting under {system}")
    os.environ["SCOREPATH_PEERS_REEXEC"] = "1"
    os.execv(system, [system, os.path.abspath(__file__)] + args_list)


def main():
    argv = sys.argv[1:]
    if "--worker" in argv:
        wp = argparse.ArgumentParser()
        wp.add_argument("--worker", choices=("numpy-em",), required=True)
        wp.add_argument("--precision", choices=("float", "double"), required=True)
        wp.add_argument("--paths", type=int, required=True)
        wp.add_argument("--repeat", type=int, required=True)
        wp.add_argument("--seed", type=int, required=True)
        return numpy_em_worker(wp.parse_args(argv))

    ap = argparse.ArgumentParser(
        description="scorepath against numpy, PyTorch and QuantLib: same sizes, same threads.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--threads", type=int, default=2, help="threads for every library (default 2)")
    ap.add_argument("--build-dir", default="build",
                    help="scorepath build tree (default build): bench/scorepath_bench, "
                         "apps/scorepath, bench/peers/{ssm_driver,em_quantlib}")
    ap.add_argument("--peers-dir", help="where ssm_driver and em_quantlib are "
                                        "(default <build-dir>/bench/peers)")
    ap.add_argument("--bench", help="scorepath_bench binary (overrides --build-dir)")
    ap.add_argument("--cli", help="scorepath command-line binary (overrides --build-dir)")
    ap.add_argument("--ssm-driver", help="ssm_driver binary (overrides --peers-dir)")
    ap.add_argument("--quantlib-driver", help="em_quantlib binary (overrides --peers-dir)")
    ap.add_argument("--out", help="write every number as JSON to this file")
    ap.add_argument("--only", choices=("em", "ssm"), help="run one section only")
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions, best kept (3)")
    ap.add_argument("--min-time", type=float, default=None,
                    help="--benchmark_min_time for scorepath_bench (its default 0.5 s)")
    ap.add_argument("--em-paths", default="100000,1000000", help="EM path counts (1e5,1e6)")
    ap.add_argument("--em-precisions", default="float,double", help="float,double")
    ap.add_argument("--numpy-procs", type=int, default=None,
                    help="processes for the single-threaded peers numpy and QuantLib "
                         "(default: --threads)")
    ap.add_argument("--numpy-max-paths", type=int, default=None,
                    help="cap on numpy's paths (default none)")
    ap.add_argument("--torch-max-paths", type=int, default=None,
                    help="cap on PyTorch's EM paths (default none)")
    ap.add_argument("--quantlib-max-paths", type=int, default=200_000,
                    help="cap on QuantLib's paths (default 2e5; about 30 ns per path-step)")
    ap.add_argument("--ssm-models", default=",".join(SSM_MODELS), help="gmm16,mlp2,mlp64")
    ap.add_argument("--ssm-probes", default="1,4", help="probe counts M (1,4)")
    ap.add_argument("--ssm-samples", default=None,
                    help="samples per model, e.g. gmm16=16384,mlp2=16384,mlp64=8192 "
                         "(a single number sets all)")
    ap.add_argument("--torch-batch-rows", default="auto",
                    help="rows (samples x M) per PyTorch SSM call: 'auto' (default) takes the "
                         "fastest of 1024, 4096, 16384 and all; 0 for all at once")
    ap.add_argument("--rtol", type=float, default=1e-4,
                    help="relative tolerance of the loss check (1e-4)")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and one repetition: a check that everything runs")
    ap.add_argument("--workdir", help="directory for the weights/samples/probes files "
                                      "(default: a temporary directory, removed afterwards)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a check fails or a target is missed")
    ap.add_argument("--no-reexec", action="store_true",
                    help="do not restart under /usr/bin/python3")
    args = ap.parse_args(argv)
    maybe_reexec(argv)

    if args.threads < 1:
        sys.exit("peers.py: --threads must be at least 1")
    if args.repeat < 1:
        sys.exit("peers.py: --repeat must be at least 1")
    if args.torch_batch_rows != "auto":
        try:
            args.torch_batch_rows = int(args.torch_batch_rows)
        except ValueError:
            sys.exit("peers.py: --torch-batch-rows must be 'auto' or a row count")
        if args.torch_batch_rows < 0:
            sys.exit("peers.py: --torch-batch-rows must be 'auto' or a row count >= 0")
    args.ssm_repeat = max(args.repeat, 5)   # SSM calls are short: a few more repetitions
    if args.numpy_procs is None:
        args.numpy_procs = args.threads
    args.em_paths = parse_sizes(args.em_paths, "--em-paths")
    args.em_precisions = [p.strip() for p in args.em_precisions.split(",") if p.strip()]
    for p in args.em_precisions:
        if p not in ("float", "double"):
            sys.exit(f"peers.py: --em-precisions: '{p}' is not float or double")
    args.ssm_models = [m.strip() for m in args.ssm_models.split(",") if m.strip()]
    for m in args.ssm_models:
        if m not in SSM_MODELS:
            sys.exit(f"peers.py: --ssm-models: '{m}' is not one of {', '.join(SSM_MODELS)}")
    args.ssm_probes = parse_sizes(args.ssm_probes, "--ssm-probes")
    samples = dict(DEFAULT_SSM_SAMPLES)
    if args.quick:
        args.repeat = 1
        args.ssm_repeat = 1
        args.em_paths = [100_000]
        args.quantlib_max_paths = min(args.quantlib_max_paths, 20_000)
        samples = {k: 1024 for k in samples}
    if args.ssm_samples:
        if "=" not in args.ssm_samples:
            n = parse_sizes(args.ssm_samples, "--ssm-samples")[0]
            samples = {k: n for k in samples}
        else:
            for item in args.ssm_samples.split(","):
                k, _, val = item.partition("=")
                if k.strip() not in samples:
                    sys.exit(f"peers.py: --ssm-samples: unknown model '{k}'")
                samples[k.strip()] = parse_sizes(val, "--ssm-samples")[0]
    args.ssm_samples = samples

    # Same thread count everywhere; set before numpy or torch is first imported.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"  # workers

    build = args.build_dir
    peers_dir = args.peers_dir or os.path.join(build, "bench", "peers")
    ctx = {
        "bench": find_binary(args.bench, [os.path.join(build, "bench", "scorepath_bench")],
                             "scorepath_bench"),
        "cli": find_binary(args.cli, [os.path.join(build, "apps", "scorepath")], "scorepath"),
        "ssm_driver": find_binary(args.ssm_driver, [os.path.join(peers_dir, "ssm_driver")],
                                  "ssm_driver"),
        "quantlib": find_binary(args.quantlib_driver, [os.path.join(peers_dir, "em_quantlib")],
                                "em_quantlib"),
    }
    if args.only != "ssm" and not (ctx["bench"] or ctx["cli"]):
        sys.exit(f"peers.py: neither {build}/bench/scorepath_bench nor {build}/apps/scorepath "
                 "exists: build scorepath first (or pass --build-dir / --bench / --cli)")
    if args.only != "em" and not ctx["ssm_driver"]:
        log(f"peers.py: {peers_dir}/ssm_driver not found: the SSM comparison is skipped "
            "(build bench/peers, or pass --peers-dir / --ssm-driver)")

    tmp = None
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        ctx["workdir"] = args.workdir
    else:
        tmp = tempfile.mkdtemp(prefix="scorepath_peers_")
        ctx["workdir"] = tmp

    versions = peer_versions()
    if ctx["quantlib"]:
        versions["quantlib"] = ""
    if "torch" in versions:
        import torch
        torch.set_num_threads(args.threads)
    note = blas_note()
    result = {
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "threads": args.threads, "repeat": args.repeat,
        "machine": {"platform": platform.platform(), "processor": cpu_model(),
                    "cpus": os.cpu_count(), "load_at_start": loadavg()},
        "versions": dict(versions, python=platform.python_version()),
        "binaries": ctx, "notes": [note] if note else [],
    }
    try:
        if args.only != "ssm":
            log("EM section ...")
            em = em_section(args, env, ctx)
            ql = [r for r in em["rows"] if r["peer"] == "quantlib"]
            if ql:
                versions["quantlib"] = quantlib_version(ctx["quantlib"])
            result["em"] = em
        if args.only != "em":
            log("SSM section ...")
            result["ssm"] = ssm_section(args, ctx)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    result["machine"]["load_at_end"] = loadavg()
    result["versions"] = dict(versions, python=platform.python_version())

    print("command: " + result["command"])
    print(f"scorepath vs peers: {args.threads} threads ({os.cpu_count()} CPUs, "
          f"{result['machine']['processor']}); python {platform.python_version()}, "
          + ", ".join(f"{k} {v}" for k, v in versions.items() if v))
    if "em" in result:
        print()
        print_em(result["em"], args, versions)
    if "ssm" in result:
        print()
        print_ssm(result["ssm"], args, versions)
    lo, hi = result["machine"]["load_at_start"], result["machine"]["load_at_end"]
    if (lo and lo > args.threads + 0.5) or (hi and hi > args.threads + 0.5):
        result["notes"].append(
            f"1-minute load average {lo:.1f} at start, {hi:.1f} at end on {os.cpu_count()} CPUs: "
            "other processes were running, so the rates are noisy; rerun on an idle machine")
    for n in result["notes"]:
        print("note: " + n)

    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2, default=str)
            f.write("\n")
        log(f"wrote {args.out}")

    failed = False
    for r in result.get("ssm", {}).get("rows", []):
        for e in r["peers"]:
            if e.get("agrees") is False or e.get("meets_target") is False:
                failed = True
    for r in result.get("em", {}).get("raw_ratios", []):
        if r["paths"] == 1_000_000 and r["meets_target"] is False:
            failed = True
    for r in result.get("em", {}).get("rows", []):
        if r.get("z") is not None and abs(r["z"]) > 5:
            failed = True
    return 1 if (args.strict and failed) else 0


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def quantlib_version(driver):
    try:
        proc = subprocess.run([driver, "--paths", "1", "--steps", "1", "--repeat", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=30)
        return json.loads(proc.stdout.strip().splitlines()[-1])["peer"].split()[1]
    except (OSError, ValueError, KeyError, IndexError, subprocess.TimeoutExpired):
        return ""


if __name__ == "__main__":
    sys.exit(main())
