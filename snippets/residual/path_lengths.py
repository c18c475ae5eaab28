"""Most of a trained residual net's gradient comes from paths through few of
its blocks, fewer than the typical path goes through.

Veit, Wilber & Belongie 2016, "Residual Networks Behave Like Ensembles of
Relatively Shallow Networks", NeurIPS, Section 5 (the gradient of each path
length: in the backward pass, k blocks pass it through their branch only,
the others through their skip only). They sample paths in a 54-block ResNet;
the 9 blocks here give 2^9 = 512 paths, so every path is measured.
"""

import itertools
import math
import os

import torch
import torch.nn.functional as F

from degradation import Block, make_net  # same folder
from lesion_study import digits_split, train

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TOL = [0.05, 0.06, 0.03, 0.04, 0.02]  # per k: spread over seeds and kernels


# --8<-- [start:path]
def path_gradient(net, x, y, through: set[int]) -> torch.Tensor:
    """Gradient of the loss at the first block's input along the paths
    that go through the branches of the blocks in `through` and skip the
    others. The forward pass is the network's own; only the backward pass
    is routed, by detaching the other route of each block."""
    stem, blocks, head = net[:2], list(net[2:-1]), net[-1]
    h0 = stem(x).detach().requires_grad_()
    h = h0
    for i, block in enumerate(blocks):
        assert isinstance(block, Block) and block.shortcut
        if i in through:  # branch only: the skip carries no gradient
            h = F.relu(h.detach() + block.f(h))
        else:  # skip only: the branch carries no gradient
            h = F.relu(h + block.f(h.detach()))
    loss = F.cross_entropy(head(h), y, reduction="sum")
    return torch.autograd.grad(loss, h0)[0]


# --8<-- [end:path]


def full_gradient(net, x, y) -> torch.Tensor:
    h0 = net[:2](x).detach().requires_grad_()
    loss = F.cross_entropy(net[2:](h0), y, reduction="sum")
    return torch.autograd.grad(loss, h0)[0]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, y, tr, te = digits_split(device)
    net = train(make_net(20, shortcut=True).to(device), x[tr], y[tr])
    x, y = x[te], y[te]  # measured on held-out digits, as in eval mode
    # --8<-- [start:run]
    n = sum(isinstance(m, Block) for m in net)  # 9 blocks: 2^9 paths
    total = torch.zeros_like(full_gradient(net, x, y))
    size = [[] for _ in range(n + 1)]  # per k: each path's gradient size
    for k in range(n + 1):
        for through in itertools.combinations(range(n), k):
            g = path_gradient(net, x, y, set(through))
            total += g
            size[k].append(g.norm(dim=1).mean().item())  # per example
    full = full_gradient(net, x, y)
    err = ((total - full).norm() / full.norm()).item()
    assert err < 1e-4, f"the 2^n paths add up to the gradient {err}"
    per_path = [sum(s) / len(s) for s in size]  # mean over the C(n, k)
    share = [math.comb(n, k) * per_path[k] for k in range(n + 1)]
    share = [s / sum(share) for s in share]
    peak = max(range(n + 1), key=lambda k: share[k])
    shrink = (per_path[n] / per_path[0]) ** (1 / n)  # per branch, geometric
    assert peak < n / 2, f"short paths carry most of the gradient {share}"
    assert shrink < 0.5, f"a path's gradient shrinks with its length {shrink}"
    assert sum(share[5:]) < 0.05, f"the long half carries little {share}"
    # --8<-- [end:run]
    print(f"blocks: {n}, paths: {2**n}")
    print(f"the {2**n} paths' gradients sum to the gradient (rel. err < 1e-4)")
    print(f"a path's gradient, factor per branch on it: {shrink:.2f} ±0.03")
    for k in range(5):
        print(
            f"paths through k = {k} branches, {math.comb(n, k)} of them "
            f"({math.comb(n, k) / 2**n:.3f} of all): share of the gradient "
            f"{share[k]:.2f} ±{TOL[k]}"
        )
    few = sum(math.comb(n, k) for k in range(4)) / 2**n
    print(f"paths through at most 3 branches, share of the paths: {few:.2f}")
    print(
        f"paths through at most 3 branches, share of the gradient: "
        f"{sum(share[:4]):.2f} ±0.03"
    )
    print("paths through 5 or more branches: < 0.05 of the gradient")


if __name__ == "__main__":
    main()
