"""For a linear probe on new classes, frozen random weights of this small
two-layer body are not clearly worse than the same body trained on a related
source, once BatchNorm's statistics are computed for them; left at their
defaults (mean 0, variance 1), the random bodies look far worse.

Yosinski et al. 2014, "How transferable are features in deep neural networks?"
(NIPS), Section 4.3, "Random Weights": Jarrett et al. 2009 found random filters
"can work almost as well as learned features" in networks of two or three
layers on Caltech-101; in Yosinski et al.'s eight-layer ImageNet network,
random filters fall off quickly in layers 1 and 2 and are near chance from
layer 3 on. Data: digits 0-4 as the source, 5-9 as the target.
"""

import copy
import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
RANDOM_BODIES = 10  # random initializations, each probed, accuracies averaged
TRAINED_BODIES = 3  # bodies trained on the source, likewise


def make_body() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 8, 4, 4)
        nn.Conv2d(8, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),  # (N, 16)
    )


def compute_bn_statistics(body: nn.Sequential, images) -> nn.Sequential:
    """Set each BatchNorm's running mean and variance to those of `images`.
    A body never run in train() keeps the defaults, mean 0 and variance 1."""
    for m in body.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a cumulative average: one pass is exact
    with torch.no_grad():
        body.train()(images)
    return body.eval()


def fit(params, loss_fn, steps, lr=1e-2) -> None:
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    x, y = x.to(device), torch.tensor(digits.target).to(device)
    g = torch.Generator().manual_seed(SEED)
    perm = torch.randperm(len(y), generator=g).to(device)
    src, tgt = perm[y[perm] < 5][:600], perm[y[perm] >= 5]

    # --8<-- [start:bodies]
    def pretrain(labels):  # None: random, untrained
        body, head = make_body().to(device), nn.Linear(16, 5).to(device)
        if labels is not None:
            fit(
                list(body.parameters()) + list(head.parameters()),
                lambda: F.cross_entropy(head(body(x[src])), labels),
                60,
            )
        return body.eval()  # frozen from here on

    # one random body is a lottery: average over RANDOM_BODIES
    random_bodies = [pretrain(None) for _ in range(RANDOM_BODIES)]
    bodies = {  # statistics computed on the source images, as in training
        "random, BatchNorm at its defaults": random_bodies,
        "random, BatchNorm statistics computed": [
            compute_bn_statistics(copy.deepcopy(b), x[src])
            for b in random_bodies
        ],
        "source digits 0-4": [
            compute_bn_statistics(pretrain(y[src]), x[src])
            for _ in range(TRAINED_BODIES)
        ],
    }
    # --8<-- [end:bodies]

    train = torch.cat([tgt[y[tgt] == c][:10] for c in range(5, 10)])
    test = tgt[~torch.isin(tgt, train)]

    def probe_accuracy(body) -> float:  # the same linear probe for each
        with torch.no_grad():
            f_train, f_test = body(x[train]), body(x[test])
        probe = nn.Linear(16, 10).to(device)
        fit(
            probe.parameters(),
            lambda: F.cross_entropy(probe(f_train), y[train]),
            steps=100,
        )
        with torch.no_grad():
            return (probe(f_test).argmax(1) == y[test]).float().mean().item()

    acc = {
        name: float(np.mean([probe_accuracy(body) for body in group]))
        for name, group in bodies.items()
    }
    default, computed, real = acc.values()
    assert computed > default + 0.2, (
        "computing the random bodies' BatchNorm statistics raises their "
        f"probe accuracy by more than 0.2: {acc}"
    )
    assert real < computed + 0.1, (
        "the mean of the trained bodies is not 0.1 or more ahead of the "
        f"random ones: {acc}"
    )
    print("target: digits 5-9, 10 labels per class, frozen body + linear probe")
    print(f"random bodies, each accuracy a mean over: {RANDOM_BODIES}")
    print(f"trained bodies, the accuracy a mean over: {TRAINED_BODIES}")
    # spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
    tol = dict(zip(acc, ("0.06", "0.07", "0.1")))
    for name, a in acc.items():
        print(f"{name}, target test accuracy: {a:.2f} ±{tol[name]}")


if __name__ == "__main__":
    main()
