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
  sides: neither forms parameter gradients. Targets: ours/PyTorch double backprop >= 20x on gmm16
  at M = 1 and >= 10x at M > 1, >= 3x on both MLPs.

The BLAS core: numpy's and PyTorch's OpenBLAS picks its kernels when it loads, and an OpenBLAS
that does not know the CPU falls back to a generic core (e.g. Prescott, SSE3, on an AVX-512 Xeon).
The core it reports (openblas_get_corename, or threadpoolctl) is printed and kept in the JSON
("blas"); when it is older than the best core for the CPU's flags (SkylakeX for AVX-512, Haswell
or Zen for AVX2), numpy and PyTorch run with OPENBLAS_CORETYPE set to that core (scorepath's
binaries and QuantLib without it; a value already in the environment is kept), and the core then
used is printed. If they still run narrower kernels, the ratios of the models PyTorch evaluates
with matrix products (the MLPs) are withheld.

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

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scorepath_peers.cli import main  # noqa: E402  (after the path of this directory)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], epilog=__doc__))
