"""PyTorch's side of sampling: scorepath's VP-conditioned network rebuilt, checked on the points
scorepath evaluated, then the same reverse-SDE loop (Euler-Maruyama steps from t = 1 to t_end
and the final denoising step) over all paths at once, timed."""

import math
import time

from .train_torch import make_score, torch_parameters


def vp_alpha_sigma(t, beta_min, beta_max):
    log_alpha = -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min
    return math.exp(log_alpha), math.sqrt(-math.expm1(2.0 * log_alpha))


def conditioned_score(net, x, sigma):
    """S(x, sigma) = N([x, 1/4 ln sigma]) / sigma, as scorepath defines a conditioned score."""
    import torch

    feature = torch.full((x.shape[0], 1), 0.25 * math.log(sigma), dtype=x.dtype)
    return net(torch.cat([x, feature], dim=1)) / sigma


def check_scores(net, ours, rtol):
    """Largest relative difference between scorepath's scores at its points and ours here."""
    import numpy as np
    import torch

    d = ours["dim"]
    points = torch.from_numpy(np.fromfile(ours["files"]["points"], dtype="<f4").reshape(-1, d))
    sigmas = np.fromfile(ours["files"]["sigmas"], dtype="<f4")
    want = np.fromfile(ours["files"]["scores"], dtype="<f4").reshape(-1, d)
    worst = 0.0
    with torch.no_grad():
        for k in range(points.shape[0]):
            got = conditioned_score(net, points[k:k + 1], float(sigmas[k])).numpy()[0]
            scale = max(float(np.abs(want[k]).max()), 1e-30)
            worst = max(worst, float(np.abs(got - want[k]).max()) / scale)
    return worst, worst <= rtol


def reverse_vp_sampler(net, ours):
    paths, d, steps = ours["paths"], ours["dim"], ours["steps"]
    b0, b1, t_end = ours["beta_min"], ours["beta_max"], ours["t_end"]

    def run():
        import torch

        with torch.no_grad():
            x = torch.randn(paths, d)
            h = (1.0 - t_end) / steps
            for k in range(steps):
                t = 1.0 - k * h
                step = t - (t_end if k + 1 == steps else t - h)
                _, sigma = vp_alpha_sigma(t, b0, b1)
                beta = b0 + t * (b1 - b0)
                s = conditioned_score(net, x, sigma)
                x.add_(step * (0.5 * beta * x + beta * s))
                x.add_(math.sqrt(beta * step) * torch.randn_like(x))
            alpha, sigma = vp_alpha_sigma(t_end, b0, b1)
            s = conditioned_score(net, x, sigma)
            x = (x + sigma * sigma * s) / alpha
        return x

    return run


def torch_sample_measure(ours, args):
    params = torch_parameters(ours["files"]["weights"])
    net = make_score(params)
    rel, ok = check_scores(net, ours, args.rtol)
    out = {"peer": "torch eager", "method": "no_grad loop, all paths per step",
           "score_rel_diff": rel, "agrees": ok}
    if not ok:
        return out
    run = reverse_vp_sampler(net, ours)
    run()  # warm-up
    best = math.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        x = run()
        best = min(best, time.perf_counter() - t0)
    if not bool(x.isfinite().all()):
        out["error"] = "non-finite samples"
        return out
    path_steps = ours["paths"] * ours["score_evaluations"]
    out.update(best_seconds=best, path_steps_per_second=path_steps / best)
    return out
