"""PyTorch's side of sliced score matching: the models rebuilt from scorepath's files, the loss by
double backprop and by forward mode, and the checked, timed evaluation."""

import json
import time

from .common import agree, time_best


def mlp_features(path):
    """Extra input columns of a scorepath-mlp file's network: 1 when it is conditioned on noise."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, rest = line.strip().partition(" ")
            if word == "conditioning":
                return 0 if rest.split()[0] == "none" else 1
            if word == "parameters":
                return 0
    return 0


def read_mlp_file(path):
    """(dim, hidden, activation, flat parameters as a list of floats) from a scorepath-mlp file."""
    header = {}
    numbers = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("end "):   # versions 2, 3: count and checksum follow the values
                break
            if "parameters" in header:
                numbers.extend(float(t) for t in line.split())
                continue
            word, _, rest = line.partition(" ")
            header[word] = rest.split()
    if header.get("scorepath-mlp") not in (["1"], ["2"], ["3"]):
        raise ValueError(f"{path}: not a scorepath-mlp version 1, 2 or 3 file")
    dim = int(header["dim"][0])
    hidden = [int(w) for w in header.get("hidden", [])]
    count = int(header["parameters"][0])
    if len(numbers) != count:
        raise ValueError(f"{path}: {len(numbers)} parameters, header says {count}")
    return dim, hidden, header["activation"][0], numbers


def torch_mlp(path, device="cpu"):
    import torch
    import torch.nn.functional as F

    dim, hidden, activation, flat = read_mlp_file(path)
    if activation != "softplus":
        raise ValueError(f"{path}: activation {activation}, this comparison uses softplus")
    p = torch.tensor(flat, dtype=torch.float64).to(torch.float32).to(device)
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


def torch_gmm(path, device="cpu"):
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
    mu_t = torch.from_numpy(means.copy()).to(device)
    prec_t = torch.from_numpy(prec).to(device)
    lwn_t = torch.from_numpy(lwn).to(device)

    def score(x):                                   # x: [B, D]
        diff = mu_t - x.unsqueeze(1)                # [B, C, D]  mu_c - x
        pd = diff * prec_t                          # (mu_c - x) / sigma_c^2
        quad = (diff * pd).sum(-1)                  # [B, C]
        r = torch.softmax(lwn_t - 0.5 * quad, dim=-1)
        return (r.unsqueeze(-1) * pd).sum(1)        # sum_c r_c (mu_c - x) / sigma_c^2

    return score


def torch_score(model, weights_path, device="cpu"):
    """The model as a PyTorch function of a [B, D] tensor, its constants on @p device."""
    if model.startswith("gmm"):
        return torch_gmm(weights_path, device)
    return torch_mlp(weights_path, device)


def replicate(x, m):
    """x [N, D] stacked M times: row j*N + s is sample s (Song et al.'s particle-major layout)."""
    return x.unsqueeze(0).expand(m, *x.shape).contiguous().view(-1, x.shape[1])


def song_loss(v, s, jv):
    """mean[0.5 (v.S)^2 + v.Jv] over the last axis."""
    p = (v * s).sum(-1)
    q = (v * jv).sum(-1)
    return (0.5 * p * p + q).mean()


def ssm_double_backprop(score, x, v):
    """Song et al.'s sliced score matching: x [N, D], v [M*N, D] in their layout (particle-major).
    Returns mean[0.5 (v.S)^2 + v.grad(v.S)]."""
    import torch

    dup = replicate(x, v.shape[0] // x.shape[0])
    dup.requires_grad_(True)
    s = score(dup)
    gradv = torch.sum(s * v)
    loss1 = torch.sum(s * v, dim=-1) ** 2 * 0.5
    grad2 = torch.autograd.grad(gradv, dup, create_graph=True)[0]
    loss2 = torch.sum(v * grad2, dim=-1)
    return (loss1 + loss2).mean()


def make_jvp():
    """(jvp, vmap or None, name): functorch.jvp, torch.func.jvp, or torch.autograd.forward_ad."""
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
    s, jv = jvp(score, (replicate(x, v.shape[0] // x.shape[0]),), (v,))
    return song_loss(v, s, jv)


def ssm_jvp_vmap(jvp, vmap, score, x, v):
    """The primal once, the M probes as a vmapped batch of tangents."""
    vb = v.view(v.shape[0] // x.shape[0], *x.shape)
    s, jv = vmap(lambda t: jvp(score, (x,), (t,)))(vb)
    return song_loss(vb, s, jv)


def loss_variants(jvp, vmap, jvp_name, m):
    """(peer, method, loss function) for every PyTorch variant timed at M probes."""
    variants = [("double backprop", "torch.autograd.grad(create_graph=True)",
                 ssm_double_backprop),
                ("forward jvp", f"{jvp_name}, batch x M",
                 lambda s_, xc, vc: ssm_jvp_replicated(jvp, s_, xc, vc))]
    if vmap is not None and m > 1:
        variants.append(("forward jvp", f"{jvp_name}, vmap over M",
                         lambda s_, xc, vc: ssm_jvp_vmap(jvp, vmap, s_, xc, vc)))
    return variants


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


def checked_loss(fn, ours_loss, rtol, out):
    """PyTorch's loss (doubled to scorepath's convention) from fn, compared with ours; records
    loss, rel_diff, agrees in `out` and returns whether they agree."""
    value = 2.0 * fn()
    rel, ok = agree(ours_loss, value, rtol)
    out.update(loss=value, rel_diff=rel, agrees=ok)
    return ok


def torch_ssm_measure(loss_fn, score, x, v, m, ours_loss, args):
    """Checks the loss against ours, then times it. With --torch-batch-rows auto, the mini-batch
    size (rows = samples x M per call) is the fastest of 1024, 4096, 16384 rows and the whole
    batch, each timed once after a warm-up call; PyTorch's time per sample grows at large batches
    (fresh buffers are page-faulted in on every call), so one fixed batch could put it at a
    disadvantage."""
    n = x.shape[0]
    rows = n * m
    out = {}
    if not checked_loss(batched(loss_fn, score, x, v, m, rows), ours_loss, args.rtol, out):
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
    # The loss again, as evaluated in the timed mini-batches.
    if batch_rows != rows and not checked_loss(fn, ours_loss, args.rtol, out):
        return out
    per = min(n, max(1, batch_rows // m))
    best, cpu_wall, _ = time_best(fn, args.ssm_repeat)
    out.update(batch_rows=per * m, best_seconds=best, samples_per_second=n / best,
               cpu_per_wall=cpu_wall)
    return out
