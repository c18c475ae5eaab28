# auxiliary_head_training.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/auxiliary_head_training.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python auxiliary_head_training.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "2d5ec1f78b8c7235e48d6ae9615f82d88fc2c10b1b345c292f3064bf7fb157c0", "sources": {"snippets/network_in_network/auxiliary_classifier.py": "5bdcc417f0f647427bb023bffc906f3785ce1837faf5d12226cc216fc795df54", "snippets/network_in_network/auxiliary_head_training.py": "7c2cdb688688e7f125170fb41ab30ec75097f608f2270f8c93687c64f8ed8a79"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/network_in_network/auxiliary_classifier.py
_add_module('auxiliary_classifier', r'''"""A side classifier in the middle of a deep plain network sends the lower
layers far more gradient than the main loss does when the signal shrinks layer
by layer (PyTorch's default init), and less than the main loss once He init or
BatchNorm keeps it; at inference the side head is not run.

Szegedy et al. 2015, "Going Deeper with Convolutions" (CVPR), Section 5: two
auxiliary classifiers, their losses weighted by 0.3, "increase the gradient
signal that gets propagated back", discarded at inference. Szegedy et al. 2016
(Rethinking the Inception Architecture, Section 4): with BatchNorm they did
not speed up early training. He et al. 2015 (Delving Deep into Rectifiers,
Section 2.2): the init that keeps a ReLU network's signal variance. Data:
scikit-learn's digits.
"""

import math
import os

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
DEPTH, SIDE_AT, WIDTH = 12, 4, 16  # 12 convs; the side head reads conv 4
AUX_WEIGHT = 0.3  # GoogLeNet's weight of each auxiliary loss
NETS = 16  # networks per setting: the ratio varies from one init to the next


# --8<-- [start:model]
def conv_block(c_in: int, batch_norm: bool) -> nn.Sequential:
    norm = nn.BatchNorm2d(WIDTH) if batch_norm else nn.Identity()
    return nn.Sequential(nn.Conv2d(c_in, WIDTH, 3, padding=1), norm, nn.ReLU())


class PlainNetWithSideHead(nn.Module):
    """DEPTH 3x3 convs on (N, 1, 8, 8) digits, a GAP head at the top and a
    small auxiliary head (pool, 1x1 conv, linear) after conv SIDE_AT."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        self.convs = nn.ModuleList(
            conv_block(1 if i == 0 else WIDTH, batch_norm) for i in range(DEPTH)
        )
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(WIDTH, 10)
        )
        self.side_head = nn.Sequential(
            nn.AdaptiveAvgPool2d(2),  # (N, WIDTH, 2, 2)
            nn.Conv2d(WIDTH, WIDTH, 1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(4 * WIDTH, 10),
        )

    def forward(self, x):
        side = None
        for i, block in enumerate(self.convs, start=1):
            x = block(x)  # (N, WIDTH, 8, 8)
            if i == SIDE_AT and self.training:  # only in training
                side = self.side_head(x)
        logits = self.head(x)
        return (logits, side) if self.training else logits


def training_loss(model, x, y):
    logits, side = model(x)
    return F.cross_entropy(logits, y) + AUX_WEIGHT * F.cross_entropy(side, y)


# --8<-- [end:model]


# --8<-- [start:measure]
def first_layer_gradients(model, x, y) -> tuple[float, float]:
    """Norms of the gradient reaching conv 1's weights from the main loss and
    from the weighted side loss, at initialization."""
    logits, side = model(x)
    w = model.convs[0][0].weight
    main = torch.autograd.grad(F.cross_entropy(logits, y), w, retain_graph=True)
    aux = torch.autograd.grad(AUX_WEIGHT * F.cross_entropy(side, y), w)
    return main[0].norm().item(), aux[0].norm().item()


def side_over_main(setting: str, x, y, seed: int) -> float:
    torch.manual_seed(seed)
    model = PlainNetWithSideHead(batch_norm=setting == "BatchNorm").to(x.device)
    if setting == "He init":  # variance-keeping init for ReLU (He et al. 2015)
        for block in model.convs:
            nn.init.kaiming_normal_(block[0].weight, nonlinearity="relu")
            nn.init.zeros_(block[0].bias)
    main, aux = first_layer_gradients(model, x, y)
    return aux / main


# --8<-- [end:measure]


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32, device=device) / 16
    x = x.view(-1, 1, 8, 8)[:256]  # (N, 1, 8, 8): the first 256 digits
    y = torch.tensor(digits.target, device=device)[:256]

    def ratios(setting: str) -> list[float]:
        return [
            side_over_main(setting, x, y, SEED * NETS + k) for k in range(NETS)
        ]

    default, he, bn = (
        ratios("default init"),
        ratios("He init"),
        ratios("BatchNorm"),
    )
    # the default init (uniform, bound 1/sqrt(fan_in)) shrinks the gradient by
    # about sqrt(6) per conv + ReLU: the main loss's arrives ~6^4 times weaker
    # after the 8 convs above the side head
    assert min(default) > 100, f"side/main, default init: {min(default)}"
    assert max(bn) < 0.5, f"side/main gradient, BatchNorm: {max(bn)}"
    assert geometric_mean(he) < 1, f"side/main gradient, He init: {he}"

    model = PlainNetWithSideHead().to(device)
    loss = training_loss(model, x[:64], y[:64])  # train mode: both heads
    assert loss.requires_grad
    model.eval()
    logits = model(x[:64])  # eval mode: only the main head runs
    assert isinstance(logits, torch.Tensor) and logits.shape == (64, 10)
    side_params = sum(p.numel() for p in model.side_head.parameters())
    all_params = sum(p.numel() for p in model.parameters())

    lines = {  # side/main: gradient norms at conv 1, side loss over main loss
        "networks per setting": f"{NETS}",
        "default init, side/main, log10 of geometric mean": (
            f"{math.log10(geometric_mean(default)):.2f} ±0.3"
        ),
        "He init, side/main, geometric mean": f"{geometric_mean(he):.2f} ±0.2",
        "BatchNorm, side/main, geometric mean": (
            f"{geometric_mean(bn):.3f} ±0.04"
        ),
        "side head parameters, unused at inference": (
            f"{side_params} of {all_params}"
        ),
    }
    for label, value in lines.items():
        print(f"{label}: {value}")


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/network_in_network/auxiliary_head_training.py ---
"""Does a GoogLeNet-style side head change how a batch-normalized network
trains? The same twelve-conv network is trained with and without its side loss,
from the same init and on the same batches; the main head's training loss early
on and the final test accuracy are compared seed by seed.

Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
Vision" (CVPR), Section 4: the auxiliary classifiers did not speed up early
training; near the end the network with them reached a slightly higher
plateau. Szegedy et al. 2015, Section 5: side losses weighted by 0.3. Model:
auxiliary_classifier.py's network with BatchNorm. Data: scikit-learn's digits.
"""

import copy
import os
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auxiliary_classifier import PlainNetWithSideHead, training_loss

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, STEPS, EARLY = 1000, 300, 100  # EARLY: when "early" is measured


def load_split(device: str) -> tuple[torch.Tensor, ...]:
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32) / 16
    x, y = x.view(-1, 1, 8, 8), torch.tensor(digits.target)  # (1797, 1, 8, 8)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    train, test = perm[:N_TRAIN], perm[N_TRAIN:]
    return tuple(t.to(device) for t in (x[train], y[train], x[test], y[test]))


@torch.no_grad()
def main_head(model, x_train, x, y) -> tuple[float, float]:
    """Loss and accuracy of the main head alone, with BatchNorm's statistics
    recomputed on the training set: the running averages lag the weights, and
    by different amounts in two runs."""
    probe = copy.deepcopy(model)
    for m in probe.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the passes: here, one
    probe.train()
    probe(x_train)  # one pass over the training set sets the statistics
    probe.eval()  # eval: only the main head runs
    logits = probe(x)
    loss = F.cross_entropy(logits, y).item()
    return loss, (logits.argmax(1) == y).float().mean().item()


# --8<-- [start:train]
def train(side_loss: bool, data, device: str) -> dict:
    """Adam, batches of 64; with or without the weighted side loss. The same
    seed gives both runs the same init and the same batches."""
    xtr, ytr, xte, yte = data
    torch.manual_seed(SEED)
    model = PlainNetWithSideHead(batch_norm=True).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = torch.Generator().manual_seed(SEED)
    for step in range(1, STEPS + 1):
        model.train()
        idx = torch.randint(0, N_TRAIN, (64,), generator=batches).to(device)
        if side_loss:  # main loss + 0.3 x side loss
            loss = training_loss(model, xtr[idx], ytr[idx])
        else:  # side head built and run, its output ignored: no random
            # numbers, no BatchNorm, no gradient (Adam skips its weights)
            loss = F.cross_entropy(model(xtr[idx])[0], ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == EARLY:
            early_loss, _ = main_head(model, xtr, xtr, ytr)
    # --8<-- [end:train]
    _, test_accuracy = main_head(model, xtr, xte, yte)
    return {"early": early_loss, "test": test_accuracy}


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load_split(device)
    runs = {
        "without": train(False, data, device),
        "with": train(True, data, device),
    }

    print(f"{STEPS} steps of 64 digits; BatchNorm after every main-path conv")
    # spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
    tol = {"without": ("0.3", "0.02"), "with": ("0.4", "0.05")}
    for name, run in runs.items():
        print(
            f"{name} side loss, main head's training loss after {EARLY} "
            f"steps: {run['early']:.3f} ±{tol[name][0]}"
        )
    for name, run in runs.items():
        accuracy = f"{run['test']:.3f} ±{tol[name][1]}"
        print(f"{name} side loss, test accuracy: {accuracy}")

    for name, run in runs.items():
        assert run["test"] > 0.9, f"the network trains {name} side loss: {run}"


if __name__ == "__main__":
    main()
