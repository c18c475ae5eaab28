# path_lengths.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/residual/path_lengths.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python path_lengths.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "81f6bd30ea298105ba705c70be047bd108c03078889aa5ff7fbdc0c13e2911ba", "sources": {"snippets/residual/degradation.py": "243fe48a47fc76e4380d1317e552906f1177b4d407661179862579e0ee92a4f3", "snippets/residual/lesion_study.py": "533b2ce24603a2cd75da8e3b4d1401cd3f1fee8706e91c91bc1b0f5f1c79c5b6", "snippets/residual/path_lengths.py": "8f704d0c1bedb902c5dd665ae30cd4001173c7cfb66dee2450eff97a0bcd047f"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/residual/degradation.py
_add_module('degradation', r'''"""A deeper plain net trains worse than a shallow one; a residual one does not.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 4.1, Fig. 1 and Fig. 4 (plain-18/34 against ResNet-18/34).
Zero-gamma initialization of the last BN of each block: Goyal et al. 2017,
"Accurate, Large Minibatch SGD", Section 5.1.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
WIDTH = 32


# --8<-- [start:model]
class Block(nn.Module):
    """Two linear layers with BN: relu(F(x)) plain, relu(x + F(x)) residual."""

    def __init__(self, shortcut: bool, zero_gamma: bool = False):
        super().__init__()
        self.shortcut = shortcut
        self.f = nn.Sequential(
            nn.Linear(WIDTH, WIDTH, bias=False),
            nn.BatchNorm1d(WIDTH),
            nn.ReLU(),
            nn.Linear(WIDTH, WIDTH, bias=False),
            nn.BatchNorm1d(WIDTH),
        )
        if zero_gamma:  # F(x) = 0 at init: the block is
            nn.init.zeros_(self.f[-1].weight)  # the identity (on x >= 0)

    def forward(self, x):
        h = self.f(x)
        return F.relu(x + h) if self.shortcut else F.relu(h)


def make_net(depth: int, shortcut: bool, zero_gamma: bool = False):
    """`depth` weight layers: input, (depth - 2) / 2 blocks, classifier."""
    blocks = [Block(shortcut, zero_gamma) for _ in range((depth - 2) // 2)]
    return nn.Sequential(
        nn.Linear(64, WIDTH), nn.ReLU(), *blocks, nn.Linear(WIDTH, 10)
    )


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)
    x = ((x - x.mean(0)) / (x.std(0) + 1e-3)).to(device)  # (1797, 64)
    y = torch.tensor(digits.target, device=device)
    # --8<-- [start:train]
    STEPS, BATCH, LAST = 100, 128, 20
    runs = {
        "shallow plain (4 layers)": (4, False, False),
        "deep plain (20 layers)": (20, False, False),
        "shallow residual (4 layers)": (4, True, True),
        "deep residual (20 layers)": (20, True, True),
        "deep residual, gamma=1 init": (20, True, False),
    }
    curves, accuracy = {}, {}
    for name, (depth, shortcut, zero_gamma) in runs.items():
        torch.manual_seed(SEED)
        net = make_net(depth, shortcut, zero_gamma).to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        order = torch.Generator().manual_seed(SEED)  # same batches for all
        losses, hits = [], []
        for _ in range(STEPS):
            idx = torch.randint(len(y), (BATCH,), generator=order)
            logits = net(x[idx])
            loss = F.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            hits.append((logits.argmax(1) == y[idx]).float().mean().item())
        curves[name] = losses
        accuracy[name] = float(np.mean(hits[-LAST:]))
    final = {n: float(np.mean(c[-LAST:])) for n, c in curves.items()}
    # --8<-- [end:train]
    sp = final["shallow plain (4 layers)"]
    dp = final["deep plain (20 layers)"]
    sr = final["shallow residual (4 layers)"]
    dr = final["deep residual (20 layers)"]
    g1 = final["deep residual, gamma=1 init"]
    # The claims, on the final losses, for every seed: degradation in the
    # plain nets only (Fig. 4 left and right), and gamma=1 is a worse start.
    # deeper plain: worse
    assert dp > 5 * sp and dp - dr > 0.3, (
        f"the deep plain net ends worse {final}"
    )
    # deeper residual: at least as good
    assert dr <= sr, (
        f"the deep residual net is no worse than the shallow one {final}"
    )
    # gamma=1: worse than 0, far from plain
    assert dr < g1 < dp / 3, (
        f"gamma=1 ends above gamma=0 and below a third of plain {final}"
    )
    # The losses near 0 vary between seeds by a third of their size, so the
    # printed figures are the accuracies over the same last steps, with their
    # largest distance from seed 0 over seeds 0-9 and other CPU kernels
    # (kb check --seeds 10), rounded up. The page takes their difference
    # seed by seed (the difference directive).
    tol = {
        "shallow plain (4 layers)": 0.01,
        "deep plain (20 layers)": 0.2,
        "shallow residual (4 layers)": 0.003,
        "deep residual (20 layers)": 0.005,
        "deep residual, gamma=1 init": 0.01,
    }
    print(f"training steps: {STEPS}")
    print(f"last steps averaged: {LAST}")
    for name, value in accuracy.items():
        print(f"{name} final train accuracy: {value:.3f} ±{tol[name]}")

    fig, ax = plt.subplots(figsize=(7, 3.2))
    kernel = np.ones(10) / 10  # 10-step moving mean
    for name, losses in curves.items():
        style = "--" if "plain" in name else "-"
        ax.plot(np.convolve(losses, kernel, mode="valid"), style, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("step (batch of 128)")
    ax.set_ylabel("train loss, 10-step mean")
    ax.set_title("MLPs on the digits, SGD lr 0.1, momentum 0.9")
    ax.legend(fontsize=7)
    fig.savefig("degradation.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
''')


# snippets/residual/lesion_study.py
_add_module('lesion_study', r'''"""Deleting any one block of a trained residual net at test time barely
changes its accuracy; deleting one block of a trained plain net breaks it.

Veit, Wilber & Belongie 2016, "Residual Networks Behave Like Ensembles of
Relatively Shallow Networks", NeurIPS, Section 4 (lesion study: deleting
individual layers at test time, a ResNet against VGG) and Section 3 (the
unraveled view: n blocks give 2^n paths).
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

from degradation import Block, make_net  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TOL = 0.03  # largest change of a test accuracy over seeds 1..4 and kernels


def train(net, x, y, steps=200, batch=128):
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    order = torch.Generator().manual_seed(SEED)
    for _ in range(steps):
        i = torch.randint(len(y), (batch,), generator=order).to(y.device)
        loss = F.cross_entropy(net(x[i]), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net.eval()


# --8<-- [start:lesion]
@torch.no_grad()
def accuracy(net, x, y) -> float:
    return (net(x).argmax(1) == y).float().mean().item()


@torch.no_grad()
def lesioned_accuracies(net: nn.Sequential, x, y) -> list[float]:
    """Test accuracy with each block deleted in turn (no retraining)."""
    blocks = [i for i, m in enumerate(net) if isinstance(m, Block)]
    return [
        accuracy(nn.Sequential(*[m for j, m in enumerate(net) if j != b]), x, y)
        for b in blocks
    ]


# --8<-- [end:lesion]


@torch.no_grad()
def branch_share(net: nn.Sequential, x) -> float:
    """The smallest ||F(x)|| / ||x|| over the residual blocks."""
    shares, h = [], x
    for m in net:
        if isinstance(m, Block):
            shares.append((m.f(h).norm() / h.norm()).item())
        h = m(h)
    return min(shares)


def digits_split(device: str):
    """The digits standardized per pixel (1797, 64), their labels, and the
    indices of a 3/4 training split and the rest, shuffled by SEED."""
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)
    x = ((x - x.mean(0)) / (x.std(0) + 1e-3)).to(device)
    y = torch.tensor(digits.target, device=device)
    order = torch.randperm(
        len(y), generator=torch.Generator().manual_seed(SEED)
    )
    return x, y, order[:1347].to(device), order[1347:].to(device)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, y, tr, te = digits_split(device)
    # --8<-- [start:run]
    nets = {
        "plain (10 layers)": (10, False),
        "residual (20 layers)": (20, True),
    }
    full, lesioned = {}, {}
    for name, (depth, shortcut) in nets.items():
        torch.manual_seed(SEED)
        net = train(make_net(depth, shortcut).to(device), x[tr], y[tr])
        full[name] = accuracy(net, x[te], y[te])
        lesioned[name] = lesioned_accuracies(net, x[te], y[te])
    plain, res = "plain (10 layers)", "residual (20 layers)"
    assert min(full.values()) > 0.9, f"both nets learn {full}"
    assert min(lesioned[res]) > full[res] - 0.1, (
        f"deleting one block barely changes the residual net {lesioned}"
    )
    assert max(lesioned[plain]) < 0.5, (
        f"deleting one block breaks the plain net {lesioned}"
    )
    # --8<-- [end:run]
    share = branch_share(net, x[te])  # `net` is the residual one
    assert share > 0.1, f"every residual branch does work {share}"
    for name in nets:
        print(f"{name} test accuracy: {full[name]:.3f} ±{TOL}")
        print(f"{name} blocks deleted one at a time: {len(lesioned[name])}")
    print("residual, any one block deleted: test accuracy falls by < 0.1")
    print("plain, any one block deleted: test accuracy < 0.5 (chance 0.1)")
    print(f"residual, smallest ||F(x)|| / ||x|| of a block: {share:.2f} ±0.05")


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/residual/path_lengths.py ---
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
