#!/usr/bin/env python3
"""Plots the README figures from the CSV files scorepath_figure_data writes.

usage: make_figures.py DATA_DIR OUTPUT_DIR

Writes gbm_paths.png, convergence.png, probe_variance.png, ring_samples.png,
ring_training_loss.png and quality_vs_steps.png to OUTPUT_DIR and prints what it wrote, with the
fitted convergence orders and how far the estimates sit from theory.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

S0, MU, SIGMA, T = 100.0, 0.05, 0.2, 1.0
DPI = 150


def read_csv(path):
    """Columns of a CSV file as a dict of numpy arrays (strings where not numeric)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        try:
            columns[key] = np.array([float(v) for v in values])
        except ValueError:
            columns[key] = np.array(values)
    return columns


def fitted_slope(x, y, weights=None):
    """Least-squares slope and intercept of log y against log x."""
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1, w=weights)
    return slope, intercept


def save(fig, out_dir, name):
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    print(f"wrote {path}")


def gbm_paths(data_dir, out_dir):
    band = read_csv(os.path.join(data_dir, "gbm_band.csv"))
    paths = read_csv(os.path.join(data_dir, "gbm_paths.csv"))
    t = band["t"]
    n_paths = int(band["paths"][0])
    steps = len(t) - 1
    shown = [k for k in paths if k.startswith("path_")]

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})
    colors = plt.cm.viridis(np.linspace(0.0, 0.9, len(shown)))
    for key, color in zip(shown, colors):
        top.plot(paths["t"], paths[key], color=color, lw=0.7, alpha=0.75)
    top.plot([], [], color=colors[len(colors) // 2], lw=0.7,
             label=f"{len(shown)} sample paths")
    lo, hi = band["mean"] - 2 * band["sd"], band["mean"] + 2 * band["sd"]
    top.fill_between(t, lo, hi, color="tab:orange", alpha=0.2,
                     label=f"estimated mean ± 2 sd ({n_paths:,} paths)")
    top.plot(t, band["mean"], color="tab:orange", lw=2.2, label="estimated mean")
    top.plot(t, band["exact_mean"], "k--", lw=1.2, label=r"exact EM mean $S_0(1+\mu h)^k$")
    for sign in (-1, 1):
        top.plot(t, band["exact_mean"] + sign * 2 * band["exact_sd"], "k:", lw=1.4,
                 label="exact EM mean ± 2 sd" if sign > 0 else None)
    top.set_ylabel("price $S_t$ (currency units)")
    top.set_title("Geometric Brownian motion by Euler–Maruyama: "
                  r"$dS = \mu S\,dt + \sigma S\,dW$" + "\n"
                  rf"$S_0 = {S0:g}$, $\mu = {MU:g}$, $\sigma = {SIGMA:g}$, "
                  rf"$T = {T:g}$ year, {steps} steps ($h = 1/{steps}$)")
    top.legend(loc="upper left", fontsize=9, framealpha=0.95)
    top.grid(alpha=0.3)

    mean_err = band["mean"] - band["exact_mean"]
    sd_err = band["sd"] - band["exact_sd"]
    bottom.fill_between(t, -2 * band["std_error"], 2 * band["std_error"], color="0.8",
                        label="± 2 standard errors of the mean")
    bottom.plot(t, mean_err, color="tab:orange", lw=1.2, label="mean: estimated − exact")
    bottom.plot(t, sd_err, color="tab:blue", lw=1.2, label="sd: estimated − exact")
    bottom.axhline(0.0, color="k", lw=0.6)
    bottom.set_xlabel("time $t$ (years)")
    bottom.set_ylabel("difference\n(currency units)")
    bottom.legend(loc="lower left", fontsize=8, ncol=3)
    bottom.grid(alpha=0.3)
    bottom.set_xlim(0.0, T)
    fig.tight_layout()
    save(fig, out_dir, "gbm_paths.png")

    inner = band["std_error"] > 0
    z = np.abs(mean_err[inner]) / band["std_error"][inner]
    rel_sd = np.abs(sd_err[inner]) / band["exact_sd"][inner]
    print(f"  mean: max |estimated - exact| = {z.max():.2f} standard errors over {steps} steps; "
          f"sd: max relative difference {100 * rel_sd.max():.3f}%")


def convergence(data_dir, out_dir):
    c = read_csv(os.path.join(data_dir, "convergence.csv"))
    h = c["h"]
    n_paths = int(c["paths"][0])
    # The strong error leaves its pre-asymptotic regime by h = 1/8 (local slopes 0.41 at h = 1,
    # 0.48 at 1/8); fit there, as tests/test_em_convergence.cpp does.
    asymptotic = h <= 0.125
    strong_slope, strong_icpt = fitted_slope(h[asymptotic], c["strong"][asymptotic])
    strong_slope_all, _ = fitted_slope(h, c["strong"])
    exact_weak = np.abs(c["exact_weak"])
    exact_slope, _ = fitted_slope(h, exact_weak)
    weak = np.abs(c["weak"])
    # Fit the Monte Carlo weak errors where they stand clear of their noise, weighted by
    # their relative precision.
    clear = weak > 3 * c["weak_se"]
    weak_slope, weak_icpt = fitted_slope(h[clear], weak[clear], weak[clear] / c["weak_se"][clear])

    fig, ax = plt.subplots(figsize=(8, 6))
    handles = []
    handles.append(ax.errorbar(h, c["strong"], yerr=2 * c["strong_se"], fmt="o",
                               color="tab:blue", ms=6, capsize=3,
                               label=r"strong error $E|S_T^{EM} - S_T|$"))
    span = np.geomspace(h.min(), h.max(), 50)
    handles += ax.plot(span, np.exp(strong_icpt) * span ** strong_slope, "--", color="tab:blue",
                       label=f"fit over $h \\leq 1/8$: slope {strong_slope:.3f} (theory 0.5)")
    lower = np.minimum(2 * c["weak_se"], weak * 0.999)  # keep the bars above zero on log axes
    handles.append(ax.errorbar(h, weak, yerr=[lower, 2 * c["weak_se"]], fmt="s",
                               color="tab:red", ms=6, capsize=3,
                               label=r"weak error $|E[S_T^{EM}] - S_0 e^{\mu T}|$, Monte Carlo"))
    handles += ax.plot(h, exact_weak, "-", color="tab:red", alpha=0.45, lw=3,
                       label=r"weak error, exact: $S_0|(1+\mu h)^{T/h} - e^{\mu T}|$")
    handles += ax.plot(span, np.exp(weak_icpt) * span ** weak_slope, "--", color="tab:red",
                       label=f"fit: slope {weak_slope:.3f} (theory 1; exact curve "
                             f"{exact_slope:.3f})")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(h)
    ax.set_xticklabels(["1" if s == 1 else f"1/{int(s)}" for s in c["steps"]])
    ax.set_xlabel("step size $h$ (years)")
    ax.set_ylabel("error at $T$ (currency units)")
    ax.set_title("Euler–Maruyama convergence for GBM, one Brownian path per sample for all $h$\n"
                 rf"$S_0 = {S0:g}$, $\mu = {MU:g}$, $\sigma = {SIGMA:g}$, $T = {T:g}$; "
                 f"{n_paths:,} paths, error bars ± 2 standard errors", fontsize=11)
    ax.grid(which="both", alpha=0.3)
    ax.legend(handles=handles, loc="lower right", fontsize=9)
    fig.tight_layout()
    save(fig, out_dir, "convergence.png")
    print(f"  strong order: fitted slope {strong_slope:.3f} over h = 1/8 ... "
          f"1/{int(c['steps'][-1])} ({strong_slope_all:.3f} over all levels from h = 1)")
    print(f"  weak order: fitted slope {weak_slope:.3f} over {int(clear.sum())} levels with "
          f"|error| > 3 SE; exact EM bias slope {exact_slope:.3f}")
    dev = np.abs(c["weak"] - c["exact_weak"]) / c["weak_se"]
    print(f"  weak: max |Monte Carlo - exact| = {dev.max():.2f} standard errors")


def orthogonal_factor(m, d):
    """Variance of the mean of m orthogonal-block probes, relative to one probe."""
    k = np.minimum(m, d)
    q, r = m // k, m % k
    return (q * k * (d - k) + r * (d - r)) / ((d - 1.0) * m * m)


def probe_variance(data_dir, out_dir):
    v = read_csv(os.path.join(data_dir, "probe_variance.csv"))
    d = int(v["dimension"][0])
    laws = list(dict.fromkeys(v["law"]))
    colors = dict(zip(["gaussian", "rademacher", "sphere", "orthogonal"],
                      ["tab:blue", "tab:green", "tab:purple", "tab:red"]))
    markers = dict(zip(["gaussian", "rademacher", "sphere", "orthogonal"], "osD^"))
    m_max = int(v["probes"].max())
    orth = v["law"] == "orthogonal"
    lowest = v["closed_form"][v["closed_form"] > 0].min()
    if np.any(orth):  # the orthogonal closed form dips lowest just before multiples of d
        grid = np.arange(1, m_max + 1)
        dips = v["single_probe"][orth][0] * orthogonal_factor(grid, d)
        lowest = min(lowest, dips[dips > 0].min())
    floor = 0.4 * lowest

    fig, ax = plt.subplots(figsize=(8, 6))
    worst = 0.0
    for law in laws:
        sel = v["law"] == law
        m, emp, se, closed = v["probes"][sel], v["empirical"][sel], v["std_error"][sel], \
            v["closed_form"][sel]
        single = v["single_probe"][sel][0]
        color, marker = colors.get(law, "k"), markers.get(law, "x")
        if law == "orthogonal":
            grid = np.arange(1, m_max + 1)
            curve = single * orthogonal_factor(grid, d)
            curve = np.where(curve > 0, curve, np.nan)
        else:
            grid = np.geomspace(1, m_max, 100)
            curve = single / grid
        ax.plot(grid, curve, "-", color=color, lw=1.3, alpha=0.8)
        pos = closed > 0
        ax.errorbar(m[pos], emp[pos], yerr=2 * se[pos], fmt=marker, color=color, ms=6,
                    capsize=3, mfc="white", mew=1.5,
                    label=f"{law}: 1 probe {single:.3g}")
        if np.any(~pos):
            exact_counts = ", ".join(str(int(x)) for x in m[~pos])
            ax.plot(m[~pos], np.full((~pos).sum(), floor * 1.15), "v", color=color, ms=8,
                    label=f"{law}, M = {exact_counts}: exact (variance 0)")
        worst = max(worst, np.max(np.abs(emp[pos] - closed[pos]) / se[pos]))
    ax.plot([], [], "-", color="0.3", label="closed forms (lines)")
    ax.errorbar([], [], yerr=[], fmt="o", color="0.3", mfc="white", capsize=3,
                label="empirical ± 2 SE (markers)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = [2 ** k for k in range(0, int(np.log2(m_max)) + 1)]
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(t) for t in ticks])
    ax.set_ylim(bottom=floor)
    ax.set_xlabel("probes per sample $M$")
    ax.set_ylabel(r"Var of $\frac{1}{M}\sum_j v_j^\top J_S(x)\, v_j$, mean over samples" + "\n"
                  "(dimensionless: $x$ in units of the components' s.d.)")
    ax.set_title("Variance of the sliced divergence estimate of tr $J_S(x)$ by probe law\n"
                 f"{d}-D mixture of 8 Gaussians, {int(v['samples'][0])} samples × "
                 f"{int(v['replicates'][0])} replicates", fontsize=11)
    ax.grid(which="both", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    last = [i for i, label in enumerate(labels) if "exact" in label]  # the zero-variance marks
    order = [i for i in range(len(labels)) if i not in last] + last
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower left",
              fontsize=9, framealpha=0.95)
    fig.tight_layout()
    save(fig, out_dir, "probe_variance.png")
    print(f"  max |empirical - closed form| = {worst:.2f} standard errors "
          f"({int(np.sum(v['closed_form'] > 0))} points)")


def ring_samples(data_dir, out_dir):
    """The ring's data next to samples of the trained and of the exact score."""
    with open(os.path.join(data_dir, "ring_samples.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    sources = list(dict.fromkeys(r["source"] for r in rows))
    fig, axes = plt.subplots(1, len(sources), figsize=(4.2 * len(sources), 4.4), sharex=True,
                             sharey=True)
    for ax, source in zip(axes, sources):
        x = np.array([float(r["x"]) for r in rows if r["source"] == source])
        y = np.array([float(r["y"]) for r in rows if r["source"] == source])
        ax.scatter(x, y, s=2, alpha=0.5, color="tab:blue" if source == "data" else "tab:orange")
        ax.set_title(source, fontsize=10)
        ax.set_aspect("equal")
        ax.set_xlim(-5, 5)
        ax.set_ylim(-5, 5)
    fig.suptitle("8-Gaussian ring: data and 2000 samples (VP reverse SDE, 500 steps)")
    fig.tight_layout()
    save(fig, out_dir, "ring_samples.png")


def ring_training_loss(data_dir, out_dir):
    """The DSM loss of the VP-conditioned network, per step and smoothed."""
    d = read_csv(os.path.join(data_dir, "ring_training_loss.csv"))
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(d["step"], d["loss"], lw=0.5, alpha=0.4, label="batch loss (256 samples)")
    window = 50
    smooth = np.convolve(d["loss"], np.ones(window) / window, mode="valid")
    ax.plot(d["step"][window - 1:], smooth, lw=1.5, label=f"mean of {window} steps")
    ax.set_xlabel("Adam step")
    ax.set_ylabel("DSM loss, weight sigma^2")
    ax.set_title("Training a VP-conditioned MLP 3-64-64-2 (SiLU) on the ring")
    ax.legend()
    fig.tight_layout()
    save(fig, out_dir, "ring_training_loss.png")
    print(f"  loss over the last 100 steps: {np.mean(d['loss'][-100:]):.4f}")


def quality_vs_steps(data_dir, out_dir):
    """Energy distance to fresh data against the number of steps, per sampler and score."""
    with open(os.path.join(data_dir, "quality_vs_steps.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    fig, ax = plt.subplots(figsize=(8, 5))
    styles = {"exact": "-", "trained": "--"}
    colors = {"reverse_sde": "tab:blue", "pf_euler": "tab:green", "pf_heun": "tab:red"}
    for score in styles:
        for sampler in colors:
            sel = [r for r in rows if r["score"] == score and r["sampler"] == sampler]
            steps = np.array([float(r["steps"]) for r in sel])
            e = np.array([float(r["energy_distance"]) for r in sel])
            se = np.array([float(r["std_error"]) for r in sel])
            ax.errorbar(steps, e, yerr=se, ls=styles[score], marker="o", ms=3, capsize=2,
                        color=colors[sampler], label=f"{score} score, {sampler}")
    ax.axhline(float(rows[0]["reference"]), color="gray", lw=1, label="two draws of the law")
    ax.axhline(0.0, color="black", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("steps")
    ax.set_ylabel("energy distance to 5000 fresh draws (± 1 SE)")
    ax.set_title("Sample quality against the number of steps (8-Gaussian ring, VP)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save(fig, out_dir, "quality_vs_steps.png")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_figures.py DATA_DIR OUTPUT_DIR")
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    gbm_paths(data_dir, out_dir)
    convergence(data_dir, out_dir)
    probe_variance(data_dir, out_dir)
    ring_samples(data_dir, out_dir)
    ring_training_loss(data_dir, out_dir)
    quality_vs_steps(data_dir, out_dir)


if __name__ == "__main__":
    main()
