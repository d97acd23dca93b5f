"""Problem constants and small helpers shared by every section of the peer comparison."""

import importlib.util
import math
import os
import sys
import time

# The GBM case of bench/bench_em.cpp
MU, SIGMA, S0, T1, STEPS = 0.05, 0.2, 100.0, 1.0, 256
# ours / torch double backprop at M = 1 and at M > 1; net2 and net64 are mlp2's and mlp64's
# weights as a run-time network
SSM_TARGETS = {"gmm16": (20.0, 10.0), "mlp2": (3.0, 3.0), "mlp64": (3.0, 3.0),
               "net2": (3.0, 3.0), "net64": (3.0, 3.0)}


def ssm_target(model, probes):
    """The target ratio ours / torch double backprop for @model with M = @probes; None if none."""
    targets = SSM_TARGETS.get(model)
    if targets is None:
        return None
    return targets[0] if probes == 1 else targets[1]
EM_RAW_TARGET = 0.7                                         # our EM rate / raw normal rate
DEFAULT_SSM_SAMPLES = {"gmm16": 16384, "mlp2": 16384, "mlp64": 8192, "net2": 16384,
                       "net64": 8192}
SSM_MODELS = ("gmm16", "mlp2", "mlp64", "net2", "net64")
SSM_MODELS_USING_BLAS = ("mlp2", "mlp64", "net2", "net64")  # PyTorch: matrix products
# One training step (ssm_driver --train): ours / torch double backprop
TRAIN_MODELS = ("net2", "net64")
TRAIN_TARGETS = {"net2": 3.0, "net64": 3.0}
# Sampling with a network score (ssm_driver --sample): ours / torch, path-steps per second
SAMPLE_TARGET = 3.0

# The command users run; subprocess workers are started through it.
SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers.py")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def have_module(name):
    return importlib.util.find_spec(name) is not None


def missing_note(name, consequence):
    return f"{name}: not installed for {sys.executable} (bash scripts/setup_peers.sh){consequence}"


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


def split_paths(total, parts):
    """`total` split into at most `parts` near-equal non-zero shares."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts) if base + (1 if i < extra else 0)]


def time_best(fn, repeat, warm_up=None):
    """Calls warm_up (default fn) once, then fn `repeat` times. Returns (best seconds, process CPU
    time / wall time over the timed calls, fn's return values)."""
    (warm_up or fn)()
    best = math.inf
    values = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        values.append(fn())
        best = min(best, time.perf_counter() - t0)
    return best, (time.process_time() - cpu0) / (time.perf_counter() - wall0), values


def agree(ours, theirs, rtol):
    """(relative difference, whether it is within rtol)."""
    rel = abs(ours - theirs) / max(abs(ours), abs(theirs), 1e-30)
    return rel, rel <= rtol


def plural(count, word):
    return f"{count} {word}{'s' if count > 1 else ''}"
