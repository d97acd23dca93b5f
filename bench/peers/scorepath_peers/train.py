"""The training-step comparison: scorepath's ssm_driver --train (SSM-VR loss, parameter
gradient, Adam) against PyTorch doing the same step on the same network, batch and probes."""

import json
import os
import subprocess

from .common import TRAIN_TARGETS, have_module, log, missing_note

CONVENTION = "SSM-VR: mean_s ||S(x_s)||^2 + (2/M) sum_j v_j'J v_j; Adam lr 1e-3"


def run_train_driver(args, ctx, model, m):
    """ssm_driver --train for one case: (its JSON, the command) or (None, error text)."""
    case_dir = os.path.join(ctx["workdir"], f"train_{model}_M{m}")
    os.makedirs(case_dir, exist_ok=True)
    cmd = [ctx["ssm_driver"], "--model", model, "--train", "--samples", str(args.train_batch),
           "--probes", str(m), "--threads", str(args.threads), "--repeat", str(args.repeat),
           "--steps", str(args.train_steps), "--dir", case_dir]
    log(f"train {model} M={m}: " + " ".join(cmd))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=ctx["scorepath_env"])
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout), " ".join(cmd)


def train_section(args, ctx):
    res = {"rows": [], "notes": [], "convention": CONVENTION}
    if not ctx["ssm_driver"]:
        res["notes"].append("ssm_driver not built: no training comparison (build bench/peers)")
        return res
    have_torch = have_module("torch") and have_module("numpy")
    if not have_torch:
        res["notes"].append(missing_note("torch", "; scorepath alone is timed"))
    else:
        from .ssm_torch import make_jvp

        jvp_fns = make_jvp()
    for model in args.train_models:
        for m in args.train_probes:
            ours, cmd = run_train_driver(args, ctx, model, m)
            if ours is None:
                res["notes"].append(f"ssm_driver --train {model} M={m} failed: {cmd}")
                continue
            row = {"model": model, "probes": m, "batch": ours["batch"], "dim": ours["dim"],
                   "ours": {"loss": ours["ssm_vr"], "samples_per_second":
                            ours["samples_per_second"],
                            "best_seconds_per_step": ours["best_seconds_per_step"],
                            "command": cmd},
                   "peers": [], "target": TRAIN_TARGETS.get(model)}
            res["rows"].append(row)
            if have_torch:
                row["peers"] = measure_train_variants(ours, m, jvp_fns, args)
    return res


def measure_train_variants(ours, m, jvp_fns, args):
    import numpy as np

    from .ssm import load_case
    from .train_torch import torch_train_measure, train_variants

    x, v = load_case(ours, ours["batch"], m)
    gradient = np.fromfile(ours["files"]["gradient"], dtype="<f4")
    rows = []
    for peer, method, loss_fn in train_variants(jvp_fns[0], jvp_fns[2]):
        entry = {"peer": peer, "method": method}
        log(f"  torch {method}")
        try:
            entry.update(torch_train_measure(loss_fn, ours["files"]["weights"], x, v, ours,
                                             gradient, args))
        except (RuntimeError, NotImplementedError) as e:
            entry.update(error=f"{type(e).__name__}: {str(e)[:200]}")
        if "samples_per_second" in entry:
            entry["ratio"] = ours["samples_per_second"] / entry["samples_per_second"]
            target = TRAIN_TARGETS.get(ours["model"])
            entry["meets_target"] = entry["ratio"] >= target if target else None
        rows.append(entry)
    return rows
