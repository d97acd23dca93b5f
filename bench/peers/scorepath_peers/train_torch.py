"""PyTorch's side of one training step: scorepath's network rebuilt as leaf tensors, the SSM-VR
loss with scorepath's probes by double backprop and by forward mode, its parameter gradient
checked against scorepath's, then zero_grad + loss + backward + Adam timed."""

import time

from .common import agree
from .ssm_torch import mlp_features, read_mlp_file, replicate


def torch_parameters(path):
    """[W_0, b_0, W_1, b_1, ...] as float32 leaf tensors that require gradients, in scorepath's
    flat order (W_l row-major out x in, then b_l); a network conditioned on noise takes D + 1
    inputs."""
    import torch

    dim, hidden, activation, flat = read_mlp_file(path)
    if activation != "softplus":
        raise ValueError(f"{path}: activation {activation}, this comparison uses softplus")
    p = torch.tensor(flat, dtype=torch.float64).to(torch.float32)
    widths = [dim + mlp_features(path)] + hidden + [dim]
    params, off = [], 0
    for w_in, w_out in zip(widths[:-1], widths[1:]):
        params.append(p[off:off + w_out * w_in].reshape(w_out, w_in).clone().requires_grad_(True))
        off += w_out * w_in
        params.append(p[off:off + w_out].clone().requires_grad_(True))
        off += w_out
    return params


def make_score(params):
    import torch.nn.functional as F

    layers = list(zip(params[0::2], params[1::2]))

    def score(x):
        for i, (weight, bias) in enumerate(layers):
            x = F.linear(x, weight, bias)
            if i + 1 < len(layers):
                x = F.softplus(x)
        return x

    return score


def ssm_vr_double_backprop(score, x, v):
    """mean_s ||S(x_s)||^2 + (2/M) sum_j v_j' grad(v_j'S): the divergence by a second backward
    pass (create_graph), x [N, D], v [M*N, D] particle-major."""
    import torch

    dup = replicate(x, v.shape[0] // x.shape[0]).requires_grad_(True)
    s = score(dup)
    grad = torch.autograd.grad((s * v).sum(), dup, create_graph=True)[0]
    return (s * s).sum(-1).mean() + 2.0 * (v * grad).sum(-1).mean()


def ssm_vr_jvp(jvp):
    """The same loss with J v by forward mode (jvp), differentiated backward."""
    def loss(score, x, v):
        s, jv = jvp(score, (replicate(x, v.shape[0] // x.shape[0]),), (v,))
        return (s * s).sum(-1).mean() + 2.0 * (v * jv).sum(-1).mean()
    return loss


def train_variants(jvp, jvp_name):
    return [("double backprop", "torch.autograd.grad(create_graph=True) + backward",
             ssm_vr_double_backprop),
            ("forward jvp", f"{jvp_name} + backward", ssm_vr_jvp(jvp))]


def torch_train_measure(loss_fn, weights_path, x, v, ours, ours_gradient, args):
    """Checks the loss and the gradient against scorepath's, then times `steps` Adam steps per
    repeat (best per-step time). Each step: zero_grad, loss, backward, Adam (lr 1e-3)."""
    import torch

    params = torch_parameters(weights_path)
    score = make_score(params)
    out = {}
    loss = loss_fn(score, x, v)
    loss.backward()
    rel, ok = agree(ours["ssm_vr"], float(loss), args.rtol)
    grad = torch.cat([p.grad.reshape(-1) for p in params]).double()
    theirs = torch.from_numpy(ours_gradient).double()
    grad_rel = float((grad - theirs).norm() / max(float(theirs.norm()), 1e-30))
    out.update(loss=float(loss), rel_diff=rel, gradient_rel_diff=grad_rel,
               agrees=ok and grad_rel <= args.gradient_rtol)
    if not out["agrees"]:
        return out
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(score, x, v).backward()
        opt.step()

    step()  # warm-up
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for _ in range(args.train_steps):
            step()
        best = min(best, (time.perf_counter() - t0) / args.train_steps)
    out.update(best_seconds_per_step=best, samples_per_second=x.shape[0] / best)
    return out
