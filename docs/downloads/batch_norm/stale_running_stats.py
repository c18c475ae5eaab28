# stale_running_stats.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/stale_running_stats.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python stale_running_stats.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "f7891f35d09d423ac58323d9eab28b5c707accce511e779bbd25e7def0b133de", "sources": {"snippets/batch_norm/exercises/recalibrate_running_stats.py": "b0f05642f69db4ca15aa0e4819f32c06d44260ae21c48e3a91c1461de8d2f69c", "snippets/batch_norm/high_lr_training.py": "815b77ef09f58d07c363a5b2cc3808de132ecc2be897e7b482ea6b1a7587bf96", "snippets/batch_norm/stale_running_stats.py": "69958ecf40b375a125b8f8ff71e2aa4f938d7cf0d3845f2e8fcaa3f9fd51756f"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/batch_norm/high_lr_training.py
_add_module('high_lr_training', r'''"""At a learning rate where the CNN without batch norm is still at chance level
after two epochs, the same CNN with batch norm trains fast.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Sections 3.3 and 4.2.1
(higher learning rates); Bjorck, Gomes, Selman & Weinberger 2018, "Understanding
Batch Normalization", NeurIPS.
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
# Largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10), rounded up to one digit.
TOLERANCE = {
    "without BN, lr 0.1 epoch 2 train loss": 0.04,
    "without BN, lr 0.2 epoch 2 train loss": 0.2,
    "with BN, lr 0.2 epoch 2 train accuracy": 0.1,
    "with BN, lr 0.2 final train accuracy": 0.2,
}


# --8<-- [start:model]
def make_cnn(batch_norm: bool) -> nn.Sequential:
    def block(c_in: int, c_out: int) -> list[nn.Module]:
        norm = nn.BatchNorm2d(c_out) if batch_norm else nn.Identity()
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batch_norm),
            norm,
            nn.ReLU(),
        ]

    return nn.Sequential(  # input (N, 1, 8, 8)
        *block(1, 8),
        *block(8, 8),
        nn.MaxPool2d(2),  # (N, 8, 4, 4)
        *block(8, 16),
        *block(16, 16),
        nn.MaxPool2d(2),  # (N, 16, 2, 2)
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )


# --8<-- [end:model]


# --8<-- [start:train]
def train(model, x, y, lr: float, epochs: int) -> tuple[list, list]:
    """SGD with momentum 0.9 in batches of 128; each epoch's mean train loss
    and train accuracy."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    # the order has its own generator: every run sees the same batches
    order = torch.Generator(device=y.device).manual_seed(SEED)
    losses, accuracies = [], []
    for epoch in range(epochs):
        total, correct = 0.0, 0
        for batch in torch.randperm(
            len(y), device=y.device, generator=order
        ).split(128):
            logits = model(x[batch])
            loss = F.cross_entropy(logits, y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
            correct += (logits.argmax(1) == y[batch]).sum().item()
        losses.append(total / len(y))  # mean train loss of the epoch
        accuracies.append(correct / len(y))
    return losses, accuracies


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)
    y = torch.tensor(digits.target, device=device)
    # --8<-- [start:runs]
    EPOCHS = 6
    runs = [
        ("without BN, lr 0.1", False, 0.1),  # a usual rate
        ("without BN, lr 0.2", False, 0.2),  # twice that
        ("with BN, lr 0.2", True, 0.2),  # the same high rate with BN
    ]
    curves, accuracies = {}, {}
    for name, bn, lr in runs:
        # same seed; without BN the convs also draw biases, so the weights
        # after the first conv differ between the BN and no-BN models
        torch.manual_seed(SEED)
        model = make_cnn(bn).to(device)
        curves[name], accuracies[name] = train(model, x, y, lr, EPOCHS)
    # --8<-- [end:runs]
    # The claims, for every seed. A loss that overflowed counts as infinite.
    loss = {
        n: [v if np.isfinite(v) else np.inf for v in c]
        for n, c in curves.items()
    }
    without_bn = ["without BN, lr 0.1", "without BN, lr 0.2"]
    # After two epochs both runs without BN are still at chance level
    # (ln 10 = 2.30, a uniform guess), and BN's loss is far below them.
    for name in without_bn:
        assert loss[name][1] > 0.85 * np.log(10), (
            f"without BN, still at chance level after two epochs: {name} "
            f"{loss[name]}"
        )
    at_2 = min(loss[name][1] for name in without_bn)
    assert loss["with BN, lr 0.2"][1] < 0.5 * at_2, (
        f"BN's loss below half of both runs without BN after two epochs: {loss}"
    )
    # After six epochs BN's loss is below half of both runs without BN. What
    # those runs do after epoch 2 depends on the seed: they may leave chance
    # level or not, so nothing else is asserted or printed about them.
    at_6 = min(loss[name][-1] for name in without_bn)
    assert loss["with BN, lr 0.2"][-1] < 0.5 * at_6, (
        f"BN's loss below half of both runs without BN after six epochs: {loss}"
    )

    shown = [  # (run, figure, its values per epoch, epoch)
        ("without BN, lr 0.1", "epoch 2 train loss", curves, 2),
        ("without BN, lr 0.2", "epoch 2 train loss", curves, 2),
        ("with BN, lr 0.2", "epoch 2 train accuracy", accuracies, 2),
        ("with BN, lr 0.2", "final train accuracy", accuracies, EPOCHS),
    ]
    for name, figure, values, epoch in shown:
        label = f"{name} {figure}"
        print(f"{label}: {values[name][epoch - 1]:.3f} ±{TOLERANCE[label]}")
    print(
        "with BN, lr 0.2 final train loss: below half of both runs without BN"
    )

    fig, ax = plt.subplots(figsize=(7, 3))
    for name, losses in curves.items():
        ax.plot(range(1, EPOCHS + 1), losses, marker="o", label=name)
    ax.axhline(np.log(10), color="gray", ls=":", label="chance, ln 10")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean train loss (log scale)")
    ax.set_title("4-conv CNN on digits, SGD with momentum 0.9")
    ax.legend(fontsize=8)
    fig.savefig("bn_high_lr_loss.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
''')


# snippets/batch_norm/exercises/recalibrate_running_stats.py
_add_module('recalibrate_running_stats', r'''"""Exercise: recompute the running statistics of every BN layer as plain
averages over a set of batches, without touching a weight.

Ioffe & Szegedy 2015, "Batch Normalization", Algorithm 2 (population statistics
averaged over mini-batches); Wu & Johnson 2021, "Rethinking 'Batch' in
BatchNorm", Section 3 (PreciseBN). momentum=None makes nn.BatchNorm2d keep a
cumulative average (PyTorch docs).
"""

import torch
from torch import nn


@torch.no_grad()
def recalibrate(model: nn.Module, batches: list[torch.Tensor]) -> None:
    """Set each BN layer's running_mean and running_var to the average of its
    batch statistics over `batches`; leave the model in eval() mode."""
    # BEGIN SOLUTION (starter: model.eval())
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    momenta = [bn.momentum for bn in bns]
    for bn in bns:
        bn.reset_running_stats()  # mean 0, var 1, num_batches_tracked 0
        bn.momentum = None  # cumulative average instead of an EMA
    model.train()  # BN uses and records the batch statistics
    for x in batches:
        model(x)
    for bn, momentum in zip(bns, momenta):
        bn.momentum = momentum
    model.eval()
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
    ).to(device)
    # stale statistics, e.g. from another data set
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 3, 8, 8, device=device))
    model.eval()
    batches = [
        2 + 3 * torch.randn(16, 3, 8, 8, device=device) for _ in range(6)
    ]
    weights = [p.clone() for p in model.parameters()]

    recalibrate(model, batches)

    conv, bn = model[0], model[1]
    with torch.no_grad():
        feats = [conv(x) for x in batches]  # BN's inputs, (16, 8, 8, 8) each
    means = torch.stack([f.mean((0, 2, 3)) for f in feats]).mean(0)
    vars_ = torch.stack([f.var((0, 2, 3)) for f in feats]).mean(0)  # unbiased
    assert torch.allclose(bn.running_mean, means, atol=1e-5), (
        "running_mean is the average of the 6 batch means"
    )
    assert torch.allclose(bn.running_var, vars_, rtol=1e-4), (
        "running_var is the average of the 6 unbiased batch variances"
    )
    assert all(
        torch.equal(a, b) for a, b in zip(weights, model.parameters())
    ), "no weight changes"
    assert not model.training and model[4].momentum == 0.1, (
        "the model is back in eval() with momentum 0.1"
    )
    print("running_mean = mean of the batch means: True")
    print(
        f"first BN, average running_mean: {bn.running_mean.mean().item():.3f}"
    )
    print(f"first BN, batches tracked: {int(bn.num_batches_tracked)}")


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/batch_norm/stale_running_stats.py ---
"""Early in training, eval() scores below what the weights can do: BN's running
statistics still carry their initial values (mean 0, variance 1) and lag
behind weights that move fast. The momentum changes only these buffers, never
a weight. Recomputing the statistics with the weights frozen (PreciseBN)
recovers the accuracy; after 300 steps the running averages have caught up.

Ioffe & Szegedy 2015, "Batch Normalization", Algorithm 2 (inference uses
population statistics); Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm",
arXiv 2105.07576 (PreciseBN: statistics averaged over many batches with the
weights fixed, instead of the moving average kept during training).
"""

import copy
import os
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

from high_lr_training import make_cnn  # same folder: the 4-conv BN CNN

# exercise 2 of the batch norm page: its solution is the recalibration run here
sys.path.insert(0, str(Path(__file__).resolve().parent / "exercises"))
from recalibrate_running_stats import recalibrate

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
MOMENTA = {"momentum 0.1": 0.1, "momentum 0.01": 0.01}  # PyTorch's, Keras's
EARLY, LATE = 20, 300  # SGD steps of 64 images
DRAWS = 4  # initializations trained to EARLY; the first goes on to LATE
STATISTICS = (*MOMENTA, "recomputed")
# Largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10), rounded up.
TOLERANCE = {"momentum 0.1": 0.1, "momentum 0.01": 0.2, "recomputed": 0.04}


def digits(device: str) -> tuple[torch.Tensor, ...]:
    """Train and test split of scikit-learn's 8x8 digits, scaled to [0, 1]."""
    data = load_digits()
    x = torch.tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(data.target)
    order = torch.randperm(len(y))
    train, test = order[:1200], order[1200:]
    return tuple(t.to(device) for t in (x[train], y[train], x[test], y[test]))


@torch.no_grad()
def test_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()  # normalize with the running statistics
    return (model(x).argmax(1) == y).float().mean().item()


@torch.no_grad()
def copy_weights(copied: nn.Module, model: nn.Module) -> None:
    for mine, theirs in zip(copied.parameters(), model.parameters()):
        mine.copy_(theirs)


# --8<-- [start:train]
@torch.no_grad()
def update_statistics(copied: nn.Module, model: nn.Module, batch) -> None:
    """Give the copy the model's weights and run the batch through it in
    train(): its BN layers update their running statistics."""
    copy_weights(copied, model)
    copied.train()
    copied(batch)


def train(data: tuple, checkpoints: tuple[int, ...]) -> dict:
    """Train one initialization; keep BN's running statistics twice, with
    momentum 0.1 and 0.01. Test accuracy at each checkpoint with either set,
    and with statistics recomputed over the training set."""
    x, y, x_test, y_test = data
    model = make_cnn(batch_norm=True).to(x.device)
    # The momentum only sets how the running statistics follow the batches
    # (training normalizes with the batch's own), so one run serves both: a
    # copy gets the same weights and batches and keeps its own statistics.
    models = {name: copy.deepcopy(model) for name in MOMENTA}
    for name, momentum in MOMENTA.items():
        for layer in models[name].modules():
            if isinstance(layer, nn.BatchNorm2d):
                layer.momentum = momentum
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    batches = torch.cat(
        [
            torch.randperm(len(y))
            for _ in range(max(checkpoints) * 64 // len(y) + 1)
        ]
    ).split(64)
    accuracy = {}  # (step, statistics) -> test accuracy
    for step, batch in enumerate(batches[: max(checkpoints)], start=1):
        for copied in models.values():  # the batch, with these weights
            update_statistics(copied, model, x[batch])
        model.train()  # normalize with the batch's statistics
        loss = F.cross_entropy(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in checkpoints:
            for name, copied in models.items():
                copy_weights(copied, model)  # the weights after this step
                accuracy[step, name] = test_accuracy(copied, x_test, y_test)
            # PreciseBN: plain averages over the training set, weights frozen
            precise = copy.deepcopy(model)
            recalibrate(precise, list(x.split(64)))
            accuracy[step, "recomputed"] = test_accuracy(
                precise, x_test, y_test
            )
    return accuracy


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = digits(device)
    # --8<-- [start:runs]
    draws = [train(data, (EARLY, LATE))]
    draws += [train(data, (EARLY,)) for _ in range(DRAWS - 1)]
    early = {s: [d[EARLY, s] for d in draws] for s in STATISTICS}
    late = draws[0]
    # --8<-- [end:runs]
    for name, momentum in MOMENTA.items():
        left = (
            1 - momentum
        ) ** EARLY  # share of the initial mean 0, variance 1
        print(
            f"{name}, weight of the initial statistics at step {EARLY}: "
            f"{left:.2f}"
        )
    for s in STATISTICS:
        mean = sum(early[s]) / DRAWS
        print(
            f"step {EARLY}, mean test accuracy of {DRAWS} draws, {s}: "
            f"{mean:.2f} ±{TOLERANCE[s]}"
        )
    # The claims, for every seed.
    gaps = {
        m: [r - a for r, a in zip(early["recomputed"], early[m])]
        for m in MOMENTA
    }
    assert sum(gaps["momentum 0.01"]) > sum(gaps["momentum 0.1"]), (
        "on average momentum 0.01 loses more than momentum 0.1"
    )
    assert min(gaps["momentum 0.01"]) > 0.05, (
        "in every draw, momentum 0.01 scores over 5 points below recomputed"
    )
    print(
        f"step {EARLY}, every draw: "
        "momentum 0.01 over 5 points below recomputed"
    )
    assert all(
        abs(late[LATE, m] - late[LATE, "recomputed"]) < 0.02 for m in MOMENTA
    ), "after 300 steps both running averages are within 2 points of recomputed"
    print(f"step {LATE}: both momenta within 2 points of recomputed statistics")


if __name__ == "__main__":
    main()
