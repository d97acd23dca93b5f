"""The sliced score matching comparison: scorepath's ssm_driver against PyTorch, same weights,
samples and probes."""

import json
import os
import subprocess

from .common import SSM_MODELS_USING_BLAS, have_module, log, missing_note, ssm_target

CONVENTION = ("mean over samples and probes of (v'S)^2 + 2 v'Jv (scorepath unscaled; "
              "PyTorch's Song et al. value x 2)")


def run_driver(args, ctx, model, n, m):
    """ssm_driver for one case: (its JSON, the command) or (None, error text)."""
    case_dir = os.path.join(ctx["workdir"], f"ssm_{model}_M{m}")
    os.makedirs(case_dir, exist_ok=True)
    cmd = [ctx["ssm_driver"], "--model", model, "--samples", str(n), "--probes", str(m),
           "--threads", str(args.threads), "--repeat", str(args.ssm_repeat), "--dir", case_dir,
           "--backend", args.device]
    log(f"SSM {model} M={m} N={n}: " + " ".join(cmd))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=ctx["scorepath_env"])
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout), " ".join(cmd)


def load_case(ours, n, m, device="cpu"):
    """Samples x [N, D] and probes v [M*N, D] (row j*N + s is probe j of sample s) as tensors on
    @p device (copied there before any timing)."""
    import numpy as np
    import torch

    d = ours["dim"]
    x = torch.from_numpy(np.fromfile(ours["files"]["samples"], dtype="<f4").reshape(n, d))
    probes = np.fromfile(ours["files"]["probes"], dtype="<f4").reshape(n, m, d)
    v = torch.from_numpy(np.ascontiguousarray(probes.transpose(1, 0, 2)).reshape(m * n, d))
    return x.to(device), v.to(device)


def cuda_unavailable_note():
    """Why PyTorch cannot run on a GPU here, or None when it can."""
    import torch

    if not torch.cuda.is_available():
        return (f"--device cuda: PyTorch {torch.__version__} sees no CUDA device (or was built "
                "without CUDA): nothing compared on a GPU")
    return None


def measure_variants(ours, x, v, m, model, jvp_fns, args):
    """Every PyTorch variant, checked and timed: [double backprop entry, the others...]."""
    from .ssm_torch import loss_variants, torch_score, torch_ssm_measure

    score = torch_score(model, ours["files"]["weights"], args.device)
    measured = []
    for kind, how, loss_fn in loss_variants(*jvp_fns, m):
        entry = {"peer": kind, "method": how}
        log(f"  torch {how}")
        try:
            entry.update(torch_ssm_measure(loss_fn, score, x, v, m, ours["ssm"], args))
        except (RuntimeError, NotImplementedError) as e:   # e.g. an op without a jvp rule
            entry.update(error=f"{type(e).__name__}: {str(e)[:200]}")
        if "samples_per_second" in entry:
            entry["ratio"] = ours["samples_per_second"] / entry["samples_per_second"]
        measured.append(entry)
    return measured


def fastest_forward(fwd_rows):
    """The faster forward-mode variant (the first when none was timed), with every variant
    summarised under "variants"."""
    timed = [e for e in fwd_rows if "samples_per_second" in e]
    pick = dict(max(timed, key=lambda e: e["samples_per_second"]) if timed else fwd_rows[0])
    pick["variants"] = [{k: e.get(k) for k in ("method", "loss", "rel_diff", "batch_rows",
                                               "samples_per_second", "error")}
                        for e in fwd_rows]
    return pick


def judge(row, withhold):
    """meets_target for the double-backprop entry; ratios withheld (with the reason) when the
    peer ran narrower BLAS kernels than the CPU has."""
    for e in row["peers"]:
        if withhold and e.get("ratio") is not None:
            e["ratio_withheld"] = e.pop("ratio")
            e["withheld_because"] = withhold
        e["meets_target"] = None
        if e["peer"] == "double backprop" and row["target"] and e.get("ratio"):
            e["meets_target"] = e["ratio"] >= row["target"]


def ssm_section(args, ctx):
    res = {"rows": [], "notes": [], "convention": CONVENTION, "device": args.device}
    if not ctx["ssm_driver"]:
        res["notes"].append("ssm_driver not built: no SSM comparison (build bench/peers)")
        return res
    have_torch = have_module("torch") and have_module("numpy")
    if not have_torch:
        res["notes"].append(missing_note("torch", "; scorepath alone is timed"))
        if args.device == "cuda":
            return res
    else:
        import torch

        from .ssm_torch import make_jvp

        if args.device == "cuda":
            why = cuda_unavailable_note()
            if why:
                res["notes"].append(why)
                return res
        torch.set_num_threads(args.threads)
        jvp_fns = make_jvp()
        res["jvp"] = jvp_fns[2]
    blas = ctx.get("blas") or {}
    generic = (f"PyTorch's OpenBLAS ran core {', '.join(blas.get('used', []))} on a CPU with "
               f"{blas.get('cpu_best')}") if blas.get("generic") and args.device == "cpu" else None
    if generic:
        res["notes"].append(generic + f": ratios for {', '.join(SSM_MODELS_USING_BLAS)} "
                            "withheld (set OPENBLAS_CORETYPE, or use an OpenBLAS that knows "
                            "this CPU)")

    for model in args.ssm_models:
        n = args.ssm_samples[model]
        for m in args.ssm_probes:
            ours, cmd = run_driver(args, ctx, model, n, m)
            if ours is None:
                res["notes"].append(f"ssm_driver {model} M={m} failed: {cmd}")
                continue
            row = {"model": model, "probes": m, "samples": n, "dim": ours["dim"],
                   "ours": {"loss": ours["ssm"], "std_error": ours["ssm_std_error"],
                            "best_seconds": ours["best_seconds"],
                            "samples_per_second": ours["samples_per_second"],
                            "command": cmd},
                   "peers": [], "backend": ours.get("backend", "cpu"),
                   # The targets are the CPU's; on a GPU the ratios are reported without one.
                   "target": ssm_target(model, m) if args.device == "cpu" else None}
            res["rows"].append(row)
            if not have_torch:
                continue
            x, v = load_case(ours, n, m, args.device)
            measured = measure_variants(ours, x, v, m, model, jvp_fns, args)
            # The double-backprop row, and the faster forward-mode variant.
            row["peers"] = [measured[0], fastest_forward(measured[1:])]
            judge(row, generic if model in SSM_MODELS_USING_BLAS else None)
    return res
