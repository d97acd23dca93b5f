"""The sampling comparison: scorepath's ssm_driver --sample (reverse VP SDE with a VP-conditioned
network, tiles of paths through OpenBLAS) against PyTorch stepping all paths through the same
network."""

import json
import os
import subprocess

from .common import SAMPLE_TARGET, have_module, log, missing_note


def run_sample_driver(args, ctx):
    """ssm_driver --sample: (its JSON, the command) or (None, error text)."""
    case_dir = os.path.join(ctx["workdir"], "sample_net2")
    os.makedirs(case_dir, exist_ok=True)
    cmd = [ctx["ssm_driver"], "--model", "net2", "--sample", "--samples", str(args.sample_paths),
           "--steps", str(args.sample_steps), "--threads", str(args.threads), "--repeat",
           str(args.repeat), "--dir", case_dir]
    log("sample: " + " ".join(cmd))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=ctx["scorepath_env"])
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout), " ".join(cmd)


def sample_section(args, ctx):
    res = {"rows": [], "notes": []}
    if not ctx["ssm_driver"]:
        res["notes"].append("ssm_driver not built: no sampling comparison (build bench/peers)")
        return res
    ours, cmd = run_sample_driver(args, ctx)
    if ours is None:
        res["notes"].append(f"ssm_driver --sample failed: {cmd}")
        return res
    row = {"model": ours["description"], "paths": ours["paths"], "steps": ours["steps"],
           "ours": {"path_steps_per_second": ours["path_steps_per_second"],
                    "best_seconds": ours["best_seconds"], "command": cmd},
           "peers": [], "target": SAMPLE_TARGET}
    res["rows"].append(row)
    if not (have_module("torch") and have_module("numpy")):
        res["notes"].append(missing_note("torch", "; scorepath alone is timed"))
        return res
    from .sample_torch import torch_sample_measure

    log("  torch eager sampler")
    try:
        entry = torch_sample_measure(ours, args)
    except (RuntimeError, NotImplementedError) as e:
        entry = {"peer": "torch eager", "error": f"{type(e).__name__}: {str(e)[:200]}"}
    if "path_steps_per_second" in entry:
        entry["ratio"] = ours["path_steps_per_second"] / entry["path_steps_per_second"]
        entry["meets_target"] = entry["ratio"] >= SAMPLE_TARGET
    row["peers"].append(entry)
    return res
