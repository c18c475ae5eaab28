"""Frozen features from a trained source network beat frozen random, untrained
weights of the same architecture.

Yosinski et al. 2014, "How transferable are features in deep neural networks?"
(NIPS), Section 4.3: random, untrained filters do much worse than transferred
ones (the paper's baseline from Jarrett et al. 2009). Data: digits 0-4 as the
source, 5-9 as the target.
"""

import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
RANDOM_BODIES = 10  # random initializations, each probed, accuracies averaged


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

    bodies = {  # one random body is a lottery: average over RANDOM_BODIES
        "random weights": [pretrain(None) for _ in range(RANDOM_BODIES)],
        "source digits 0-4": [pretrain(y[src])],
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
    real = acc["source digits 0-4"]
    assert real > acc["random weights"] + 0.05, (
        "the trained body beats the mean of the random bodies by "
        f"more than 0.05: {acc}"
    )
    print("target: digits 5-9, 10 labels per class, frozen body + linear probe")
    # spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
    tol = {"random weights": "0.05", "source digits 0-4": "0.2"}
    label = {
        "random weights": f"random weights, mean of {RANDOM_BODIES} bodies",
        "source digits 0-4": "source digits 0-4",
    }
    for name, a in acc.items():
        print(f"{label[name]}, target test accuracy: {a:.2f} ±{tol[name]}")


if __name__ == "__main__":
    main()
