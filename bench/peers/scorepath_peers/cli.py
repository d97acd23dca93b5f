"""The command line of bench/peers/peers.py: options, the run, the report, the exit status."""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile

from . import blas, machine
from .common import DEFAULT_SSM_SAMPLES, SSM_MODELS, TRAIN_MODELS, have_module, loadavg, log
from .em import em_section
from .report import (print_em, print_header, print_notes, print_sample, print_ssm, print_train,
                     strict_failures)
from .sample import sample_section
from .ssm import ssm_section
from .train import train_section
from .workers import worker_main

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def build_parser(epilog=None):
    ap = argparse.ArgumentParser(
        prog="peers.py",
        description="scorepath against numpy, PyTorch and QuantLib: same sizes, same threads.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=epilog)
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
    ap.add_argument("--only", choices=("em", "ssm", "train", "sample"), help="run one section only")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                    help="cpu (default), or cuda: the SSM section only, scorepath's CUDA backend "
                         "against PyTorch on the GPU")
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
    ap.add_argument("--ssm-models", default=",".join(SSM_MODELS),
                    help=",".join(SSM_MODELS) + " (net*: the mlp* weights as a run-time network)")
    ap.add_argument("--ssm-probes", default="1,4", help="probe counts M (1,4)")
    ap.add_argument("--ssm-samples", default=None,
                    help="samples per model, e.g. gmm16=16384,mlp2=16384,mlp64=8192 "
                         "(a single number sets all)")
    ap.add_argument("--torch-batch-rows", default="auto",
                    help="rows (samples x M) per PyTorch SSM call: 'auto' (default) takes the "
                         "fastest of 1024, 4096, 16384 and all; 0 for all at once")
    ap.add_argument("--rtol", type=float, default=1e-4,
                    help="relative tolerance of the loss check (1e-4)")
    ap.add_argument("--train-models", default=",".join(TRAIN_MODELS),
                    help="networks of the training-step comparison (net2,net64)")
    ap.add_argument("--train-probes", default="1,4", help="probe counts M of training (1,4)")
    ap.add_argument("--train-batch", type=int, default=256, help="training batch (256)")
    ap.add_argument("--train-steps", type=int, default=20,
                    help="training steps per timed repetition (20)")
    ap.add_argument("--sample-paths", type=int, default=4096,
                    help="paths of the sampling comparison (4096)")
    ap.add_argument("--sample-steps", type=int, default=100,
                    help="reverse-SDE steps of the sampling comparison (100)")
    ap.add_argument("--gradient-rtol", type=float, default=1e-3,
                    help="relative L2 tolerance of the gradient check (1e-3)")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and one repetition: a check that everything runs")
    ap.add_argument("--workdir", help="directory for the weights/samples/probes files "
                                      "(default: a temporary directory, removed afterwards)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a check fails or a target is missed")
    ap.add_argument("--no-reexec", action="store_true",
                    help="do not restart under /usr/bin/python3")
    return ap


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


def parse_choices(text, allowed, name, what):
    items = [p.strip() for p in text.split(",") if p.strip()]
    for p in items:
        if p not in allowed:
            sys.exit(f"peers.py: {name}: '{p}' is not {what}")
    return items


def parse_ssm_samples(text, quick):
    samples = {k: 1024 for k in DEFAULT_SSM_SAMPLES} if quick else dict(DEFAULT_SSM_SAMPLES)
    if not text:
        return samples
    if "=" not in text:
        n = parse_sizes(text, "--ssm-samples")[0]
        return {k: n for k in samples}
    for item in text.split(","):
        k, _, val = item.partition("=")
        if k.strip() not in samples:
            sys.exit(f"peers.py: --ssm-samples: unknown model '{k}'")
        samples[k.strip()] = parse_sizes(val, "--ssm-samples")[0]
    return samples


def parse_args(argv, epilog=None):
    """The options, checked and normalised (lists of sizes, per-model samples, --quick applied);
    exits with status 2 on a usage error."""
    args = build_parser(epilog).parse_args(argv)
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
    if args.device == "cuda":
        if args.only not in (None, "ssm"):
            sys.exit(f"peers.py: --device cuda runs the ssm section only, not --only {args.only}")
        args.only = "ssm"
    args.ssm_repeat = max(args.repeat, 5)   # SSM calls are short: a few more repetitions
    if args.numpy_procs is None:
        args.numpy_procs = args.threads
    args.em_paths = parse_sizes(args.em_paths, "--em-paths")
    args.em_precisions = parse_choices(args.em_precisions, ("float", "double"),
                                       "--em-precisions", "float or double")
    args.ssm_models = parse_choices(args.ssm_models, SSM_MODELS, "--ssm-models",
                                    "one of " + ", ".join(SSM_MODELS))
    args.ssm_probes = parse_sizes(args.ssm_probes, "--ssm-probes")
    args.train_models = parse_choices(args.train_models, TRAIN_MODELS, "--train-models",
                                      "one of " + ", ".join(TRAIN_MODELS))
    args.train_probes = parse_sizes(args.train_probes, "--train-probes")
    if args.train_batch < 1 or args.train_steps < 1:
        sys.exit("peers.py: --train-batch and --train-steps must be at least 1")
    if args.sample_paths < 1 or args.sample_steps < 1:
        sys.exit("peers.py: --sample-paths and --sample-steps must be at least 1")
    if args.quick:
        args.repeat = 1
        args.ssm_repeat = 1
        args.em_paths = [100_000]
        args.train_steps = 2
        args.sample_paths, args.sample_steps = 256, 10
        args.quantlib_max_paths = min(args.quantlib_max_paths, 20_000)
    args.ssm_samples = parse_ssm_samples(args.ssm_samples, args.quick)
    return args


def peer_environments(args):
    """Sets the thread count for every library (before numpy or torch is first imported), probes
    the OpenBLAS core and, when it is older than the CPU's best, sets OPENBLAS_CORETYPE for the
    peers: in this process (PyTorch runs here) and in the numpy workers, not in scorepath's own
    binaries nor QuantLib's. Returns (BLAS record, environments by use)."""
    for var in THREAD_VARS:
        os.environ[var] = str(args.threads)
    info = {"reported": [], "used": [], "coretype": None, "generic": False}
    if have_module("numpy") or have_module("torch"):
        vendor, flags = machine.cpu_features()
        info = blas.configure(dict(os.environ), vendor, flags)
        info["line"] = blas.describe(info)
        log(info["line"])
        if info["coretype"]:
            os.environ[blas.CORETYPE_VAR] = info["coretype"]
    workers = dict(os.environ)
    for var in THREAD_VARS:
        workers[var] = "1"      # single-threaded worker processes
    envs = {"peer_env": workers, "worker_env": blas.environ_without(workers, info),
            "scorepath_env": blas.environ_without(os.environ, info)}
    return info, envs


def main(argv, epilog=None):
    if "--worker" in argv:
        return worker_main(argv)
    args = parse_args(argv, epilog)
    machine.maybe_reexec(argv)

    ctx, peers_dir = machine.find_binaries(args)
    build = args.build_dir
    if args.only in (None, "em") and not (ctx["bench"] or ctx["cli"]):
        sys.exit(f"peers.py: neither {build}/bench/scorepath_bench nor {build}/apps/scorepath "
                 "exists: build scorepath first (or pass --build-dir / --bench / --cli)")
    if args.only != "em" and not ctx["ssm_driver"]:  # ssm, train and sample
        log(f"peers.py: {peers_dir}/ssm_driver not found: the SSM comparison is skipped "
            "(build bench/peers, or pass --peers-dir / --ssm-driver)")
    blas_info, envs = peer_environments(args)
    tmp = None
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        ctx["workdir"] = args.workdir
    else:
        tmp = tempfile.mkdtemp(prefix="scorepath_peers_")
        ctx["workdir"] = tmp
    binaries = dict(ctx)
    ctx.update(envs, blas=blas_info)

    versions = machine.peer_versions()
    if ctx["quantlib"]:
        versions["quantlib"] = ""
    if "torch" in versions:
        import torch
        torch.set_num_threads(args.threads)
    note = blas.reference_blas_note()
    result = {
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "threads": args.threads, "repeat": args.repeat, "device": args.device,
        "machine": {"platform": platform.platform(), "processor": machine.cpu_model(),
                    "cpus": os.cpu_count(), "load_at_start": loadavg()},
        "versions": dict(versions, python=platform.python_version()),
        "blas": {k: v for k, v in blas_info.items() if k != "line"},
        "binaries": binaries, "notes": [note] if note else [],
    }
    try:
        if args.only in (None, "em"):
            log("EM section ...")
            result["em"] = em_section(args, ctx)
            if any(r["peer"] == "quantlib" for r in result["em"]["rows"]):
                versions["quantlib"] = machine.quantlib_version(ctx["quantlib"])
        if args.only in (None, "ssm"):
            log("SSM section ...")
            result["ssm"] = ssm_section(args, ctx)
        if args.only in (None, "train"):
            log("training section ...")
            result["train"] = train_section(args, ctx)
        if args.only in (None, "sample"):
            log("sampling section ...")
            result["sample"] = sample_section(args, ctx)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    result["machine"]["load_at_end"] = loadavg()
    result["versions"] = dict(versions, python=platform.python_version())

    print_header(result, args, versions, blas_info.get("line"))
    if "em" in result:
        print()
        print_em(result["em"], args, versions)
    if "ssm" in result:
        print()
        print_ssm(result["ssm"], args, versions)
    if "train" in result:
        print()
        print_train(result["train"], args)
    if "sample" in result:
        print()
        print_sample(result["sample"], args)
    lo, hi = result["machine"]["load_at_start"], result["machine"]["load_at_end"]
    if (lo and lo > args.threads + 0.5) or (hi and hi > args.threads + 0.5):
        result["notes"].append(
            f"1-minute load average {lo:.1f} at start, {hi:.1f} at end on {os.cpu_count()} CPUs: "
            "other processes were running, so the rates are noisy; rerun on an idle machine")
    print_notes(result["notes"])

    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2, default=str)
            f.write("\n")
        log(f"wrote {args.out}")
    return 1 if (args.strict and strict_failures(result)) else 0
