# lrn_small_activations.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/classic_architectures/lrn_small_activations.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python lrn_small_activations.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "3619bd2f57ef0473db7398d1c6aabda5468c1fec97070b5cb7ba8d36bc5d7eb5", "sources": {"snippets/classic_architectures/local_response_norm.py": "b7e53d39504180721edfdf77b6091ac40529062d8fab45234510558120f0ebff", "snippets/classic_architectures/lrn_small_activations.py": "a367ff5a6468f47de5f65e8b393b0f21828cdb259d4ead74ff7aa9ee0c98b918"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/classic_architectures/local_response_norm.py
_add_module('local_response_norm', r'''"""AlexNet's local response normalization, written from scratch, matches
nn.LocalResponseNorm once alpha is multiplied by the window size n.

Krizhevsky, Sutskever & Hinton 2012, NIPS, section 3.3: b_i = a_i / (k + alpha *
sum_j a_j^2)^beta over n = 5 neighbouring channels, k = 2, alpha = 1e-4, beta =
0.75. PyTorch (like Caffe) divides alpha by n.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:lrn]
def neighbour_sums(a: torch.Tensor, n: int = 5) -> torch.Tensor:
    """The summed squares of the n channels around each channel (fewer at
    the edges). a: (N, C, H, W)."""
    sq = F.pad(a.pow(2), (0, 0, 0, 0, n // 2, (n - 1) // 2))  # zero channels
    return sq.unfold(1, n, 1).sum(-1)  # (N, C, H, W)


def local_response_norm(
    a: torch.Tensor,
    n: int = 5,
    k: float = 2.0,
    alpha: float = 1e-4,
    beta: float = 0.75,
):
    """Section 3.3: each channel is divided by a power of the summed squares
    of the n channels around it."""
    return a / (k + alpha * neighbour_sums(a, n)) ** beta


# --8<-- [end:lrn]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    a = F.relu(50 * torch.randn(4, 96, 7, 7, device=device))  # ReLU maps
    # --8<-- [start:check]
    paper = nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)
    torch.testing.assert_close(local_response_norm(a), paper(a))
    typed = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    flat = torch.full((1, 5, 1, 1), 100.0, device=device)  # 5 equal maps
    ratio = typed(flat)[0, 2, 0, 0] / paper(flat)[0, 2, 0, 0]
    # --8<-- [end:check]
    expected = ((2 + 1e-4 * 5 * 100**2) / (2 + 1e-4 * 100**2)) ** 0.75
    torch.testing.assert_close(ratio.item(), expected)
    assert ratio > 1.5  # not a detail
    assert sum(p.numel() for p in paper.parameters()) == 0
    print(
        "from scratch == nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, "
        "k=2): True"
    )
    print(
        f"alpha=1e-4 typed into PyTorch, 5 maps of 100: output x "
        f"{ratio.item():.3f}"
    )
    print(
        f"parameters of the layer: {sum(p.numel() for p in paper.parameters())}"
    )


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/classic_architectures/lrn_small_activations.py ---
"""AlexNet's local response normalization with the paper's constants, in a
small CNN on the digits: the activations are so small that the neighbours'
squares add almost nothing to k, and the layer is nearly a fixed division by
k^beta. Trained three ways from the same initialization and batches: without
LRN, with LRN, and with that fixed division in its place.

Krizhevsky, Sutskever & Hinton 2012, NIPS, section 3.3 (k = 2, n = 5, alpha =
1e-4, beta = 0.75, chosen on a validation set; AlexNet's inputs are raw pixel
values minus the mean, section 2); Simonyan & Zisserman 2015, ICLR, section 4.1
(LRN "does not improve" VGG's model A).
"""

import math
import os
import statistics

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

from local_response_norm import neighbour_sums  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, STEPS, BATCH = 300, 200, 32
REPEATS = 2  # initializations per seed, the same for the three networks
K, N, ALPHA, BETA = 2.0, 5, 1e-4, 0.75  # section 3.3


class FixedDivision(nn.Module):
    """LRN without its neighbours: a / k^beta."""

    def forward(self, a):
        return a / K**BETA


# --8<-- [start:model]
def cnn(norm: str) -> nn.Sequential:
    def layer():
        if norm == "LRN":  # PyTorch divides alpha by n: pass n * alpha
            return nn.LocalResponseNorm(N, alpha=N * ALPHA, beta=BETA, k=K)
        return FixedDivision() if norm == "fixed division" else nn.Identity()

    return nn.Sequential(  # input (N, 1, 8, 8), pixels in [0, 1]
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        layer(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        layer(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


def smallest_ratio(net, x) -> float:
    """LRN's output over the fixed division's, a / (k + alpha S)^beta over
    a / k^beta = (1 + alpha S / k)^-beta, smallest over the inputs of the
    net's LRN layers (S: the n neighbours' squares); 1: no difference."""
    ratios = []
    for layer in net:
        if isinstance(layer, nn.LocalResponseNorm):
            sums = neighbour_sums(x, N)
            ratios.append(((1 + ALPHA * sums / K) ** -BETA).min().item())
        x = layer(x)
    assert all(map(math.isfinite, ratios)), f"finite ratios: {ratios}"
    return min(ratios)  # min() would let a NaN through


# --8<-- [end:model]


# --8<-- [start:train]
def compare(x, y, test_x, test_y, device):
    accuracy = {"none": [], "LRN": [], "fixed division": []}
    ratios = []
    for repeat in range(REPEATS):
        torch.manual_seed(SEED * 100 + repeat)
        start = cnn("none").state_dict()  # the norm layers have no weights
        g = torch.Generator().manual_seed(SEED * 100 + repeat)
        batches = torch.randint(0, len(y), (STEPS, BATCH), generator=g)
        for norm in accuracy:
            net = cnn(norm).to(device)
            net.load_state_dict(start)
            opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
            for batch in batches:
                loss = F.cross_entropy(net(x[batch]), y[batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                right = net(test_x).argmax(1) == test_y
                accuracy[norm].append(right.float().mean().item())
                if norm == "LRN":
                    ratios.append(smallest_ratio(net, test_x))
    return {n: statistics.fmean(a) for n, a in accuracy.items()}, min(ratios)


# --8<-- [end:train]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    order = torch.randperm(
        len(digits.target), generator=torch.Generator().manual_seed(SEED)
    )
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32)[order, None]
    y = torch.tensor(digits.target)[order]
    x, y = x.to(device), y.to(device)

    accuracy, ratio = compare(
        x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:], device
    )

    assert ratio > 0.97, f"LRN is within 3% of a fixed division: {ratio}"
    gap = abs(accuracy["LRN"] - accuracy["fixed division"])
    assert gap < 0.02, f"LRN trains like the fixed division: {accuracy}"
    assert (
        max(accuracy["LRN"], accuracy["fixed division"]) < accuracy["none"]
    ), f"at this learning rate both score below no normalization: {accuracy}"
    print(f"training digits: {N_TRAIN}, test digits: {len(y) - N_TRAIN}")
    print(f"initializations per network: {REPEATS}, SGD steps: {STEPS}")
    print(f"fixed division: 1 / k^beta = {1 / K**BETA:.3f}")
    # tolerances measured over 10 seeds and 3 kernel runs (kb check --seeds 10)
    print(
        f"trained LRN, smallest output / fixed division's: {ratio:.4f} ±0.005"
    )
    tolerances = {"none": "0.02", "LRN": "0.03", "fixed division": "0.03"}
    for norm, acc in accuracy.items():
        print(f"{norm}, test accuracy: {acc:.3f} ±{tolerances[norm]}")


if __name__ == "__main__":
    main()
