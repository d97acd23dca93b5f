"""The Euler-Maruyama comparison: scorepath against numpy, PyTorch eager and QuantLib."""

import json
import math
import os
import subprocess
import sys

from .common import (EM_RAW_TARGET, MU, S0, SIGMA, STEPS, SCRIPT, T1, em_exact_moments,
                     have_module, loadavg, log, mean_z, missing_note, plural, split_paths,
                     time_best)
from .workers import run_synced

PEER_ORDER = ("numpy", "torch", "quantlib")


def bench_name(kind, precision, size, threads):
    """A scorepath_bench run name: kind "em" (size = paths) or "normals" (size = streams)."""
    if kind == "em":
        head = f"em_cpu/gbm1/{precision}/statistics/paths:{size}"
    else:
        head = f"normals_cpu/{precision}/streams:{size}/draws:{STEPS}"
    return f"{head}/cpu_threads:{threads}/process_time/real_time"


def em_processes(name, args, paths, make_cmd, env):
    """A single-threaded peer run as --numpy-procs processes sharing the paths, in step."""
    shares = split_paths(paths, max(1, args.numpy_procs))
    cmds = [make_cmd(i, n) for i, n in enumerate(shares)]
    r = run_synced(cmds, shares, args.repeat, env)
    r["label"] = f"{name} ({plural(len(shares), 'proc')})"
    return r


def em_numpy(args, precision, paths, env):
    return em_processes("numpy", args, paths, lambda i, n: [
        sys.executable, SCRIPT, "--worker", "numpy-em", "--precision", precision,
        "--paths", str(n), "--repeat", str(args.repeat), "--seed", str(1000 + i)], env)


def em_quantlib(args, paths, driver, env):
    return em_processes("QuantLib", args, paths, lambda i, n: [
        driver, "--paths", str(n), "--steps", str(STEPS), "--mu", repr(MU),
        "--sigma", repr(SIGMA), "--s0", repr(S0), "--t1", repr(T1),
        "--seed", str(42 + i), "--repeat", str(args.repeat), "--sync"], env)


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

    best, cpu_per_wall, sums = time_best(lambda: run(STEPS), args.repeat, warm_up=lambda: run(8))
    return {"rate": paths * STEPS / best, "best_seconds": best,
            "mean": sum(sums) / (paths * args.repeat), "paths": paths,
            "mean_count": paths * args.repeat, "label": f"torch eager ({args.threads} thr)",
            "cpu_per_wall": cpu_per_wall}


def run_our_bench(bench, threads, precisions, sizes, args, env):
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
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"scorepath_bench exited with status {proc.returncode}: "
                           f"{proc.stderr.strip()[-500:]}")
    best = {}
    for b in json.loads(proc.stdout).get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        name = b.get("run_name") or b["name"]
        ips = b.get("items_per_second")
        if ips is None:
            continue
        if name not in best or ips > best[name]["rate"]:
            best[name] = {"rate": float(ips), "cpu_per_wall": b.get("cpu_per_wall"), "name": name}
    return best, " ".join(cmd[:1] + [f"'{c}'" if "|" in c else c for c in cmd[1:]])


def run_our_cli(cli, threads, precision, paths, workdir, env):
    out = os.path.join(workdir, f"simulate_{precision}_{paths}.json")
    cmd = [cli, "simulate", "--sde", "gbm", "--mu", repr(MU), "--sigma", repr(SIGMA),
           "--x0", repr(S0), "--t1", repr(T1), "--paths", str(paths), "--steps", str(STEPS),
           "--precision", precision, "--backend", "cpu", "--threads", str(threads), "--json", out]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"scorepath simulate exited with status {proc.returncode}: "
                           f"{proc.stderr.strip()}")
    with open(out, encoding="utf-8") as f:
        doc = json.load(f)
    final = [s for s in doc["statistics"] if s["step"] == STEPS and s["component"] == 0][0]
    return {"mean": final["mean"], "mean_count": final["count"], "seconds": doc["seconds"],
            "rate": doc["path_steps_per_second"], "command": " ".join(cmd)}


def our_rates(args, ctx, res):
    """scorepath's EM rates (scorepath_bench, else one `scorepath simulate` run), E[S(1)] from
    `scorepath simulate`, and the raw normal rates: fills res["ours"], res["raw"]."""
    threads = args.threads
    bench_rates = {}
    if ctx["bench"]:
        try:
            bench_rates, cmd = run_our_bench(ctx["bench"], threads, args.em_precisions,
                                             args.em_paths, args, ctx["scorepath_env"])
            res["bench_command"] = cmd
        except (RuntimeError, json.JSONDecodeError) as e:
            res["notes"].append(f"scorepath_bench failed: {e}")
    for precision in args.em_precisions:
        res["raw"][precision] = {
            "same": bench_rates.get(bench_name("normals", precision, 1000000, threads)),
            "small": bench_rates.get(bench_name("normals", precision, 10000, threads))}
        for paths in args.em_paths:
            em = bench_rates.get(bench_name("em", precision, paths, threads))
            ours = {"rate": em["rate"] if em else None,
                    "cpu_per_wall": em["cpu_per_wall"] if em else None,
                    "source": "scorepath_bench" if em else None}
            if ctx["cli"]:
                try:
                    cli = run_our_cli(ctx["cli"], threads, precision, paths, ctx["workdir"],
                                      ctx["scorepath_env"])
                    ours.update(mean=cli["mean"], mean_count=cli["mean_count"],
                                cli_rate=cli["rate"], cli_command=cli["command"])
                    if ours["rate"] is None:   # thread count the benchmark does not register
                        ours.update(rate=cli["rate"], source="scorepath simulate (one run)")
                except RuntimeError as e:
                    res["notes"].append(str(e))
            if ours["rate"] is None:
                res["notes"].append(f"no scorepath EM rate for {precision}, {paths} paths "
                                    f"(scorepath_bench registers cpu_threads 1 and 2 only)")
            res["ours"][f"{precision}/{paths}"] = ours
    if not bench_rates and ctx["bench"]:
        res["notes"].append("raw normal rates need scorepath_bench with cpu_threads 1 or 2")


def available_peers(ctx, notes):
    peers = []
    for name in ("numpy", "torch"):
        if have_module(name):
            peers.append(name)
        else:
            notes.append(missing_note(name, ", skipped"))
    if ctx["quantlib"]:
        peers.append("quantlib")
    else:
        notes.append("QuantLib: em_quantlib not built (QuantLib not found when "
                     "configuring, or the peers drivers were not built), skipped")
    return peers


def peer_paths(args, peer, paths):
    """The paths a peer runs for a case of `paths` (the --*-max-paths caps)."""
    cap = {"numpy": args.numpy_max_paths, "torch": args.torch_max_paths,
           "quantlib": args.quantlib_max_paths}[peer]
    return min(paths, cap) if cap else paths


def run_peer(args, ctx, peer, precision, paths):
    if peer == "numpy":
        return em_numpy(args, precision, paths, ctx["peer_env"])
    if peer == "torch":
        return em_torch(args, precision, paths)
    return em_quantlib(args, paths, ctx["quantlib"], ctx["worker_env"])


def raw_ratio_rows(res, precisions, sizes):
    """Our EM rate against the raw normal rate (one normal per path-step)."""
    rows = []
    for precision in precisions:
        same = res["raw"][precision]["same"]
        small = res["raw"][precision]["small"]
        for paths in sizes:
            ours = res["ours"][f"{precision}/{paths}"]
            em = ours.get("rate") if ours.get("source") == "scorepath_bench" else None
            r_same = em / same["rate"] if em and same else None
            r_small = em / small["rate"] if em and small else None
            rows.append({
                "precision": precision, "paths": paths, "em_rate": em,
                "raw_same_rate": same["rate"] if same else None,
                "raw_small_rate": small["rate"] if small else None,
                "raw_same_cpu_per_wall": same["cpu_per_wall"] if same else None,
                "ratio_same": r_same, "ratio_small": r_small, "target": EM_RAW_TARGET,
                "meets_target": None if r_same is None else r_same >= EM_RAW_TARGET})
    return rows


def em_section(args, ctx):
    exact_mean, exact_variance = em_exact_moments()
    res = {"rows": [], "ours": {}, "raw": {}, "notes": [], "problem": {
        "sde": "geometric Brownian motion", "mu": MU, "sigma": SIGMA, "s0": S0, "t1": T1,
        "steps": STEPS, "exact_mean": exact_mean, "exact_variance": exact_variance}}
    our_rates(args, ctx, res)
    peers = available_peers(ctx, res["notes"])
    for precision in args.em_precisions:
        for paths in args.em_paths:
            for peer in peers:
                if peer == "quantlib" and precision != "double":
                    continue   # QuantLib's Real is double
                n = peer_paths(args, peer, paths)
                log(f"EM {peer} {precision} {n} paths ...")
                load0 = loadavg()
                try:
                    r = run_peer(args, ctx, peer, precision, n)
                except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as e:
                    res["notes"].append(f"{peer} {precision} {paths}: failed: {e}")
                    continue
                r.pop("summaries", None)
                r.update(peer=peer, precision=precision, paths=paths, peer_paths=n,
                         load_before=load0, load_after=loadavg())
                r["z"] = mean_z(r["mean"], r["mean_count"])
                ours = res["ours"].get(f"{precision}/{paths}", {})
                r["ours_rate"] = ours.get("rate")
                r["ratio"] = (ours["rate"] / r["rate"]) if ours.get("rate") and r["rate"] else None
                res["rows"].append(r)
    res["raw_ratios"] = raw_ratio_rows(res, args.em_precisions, args.em_paths)
    return res
