"""A pretrained network fed inputs preprocessed differently from its pretraining
loses accuracy without any error.

CS231n notes "Transfer Learning" (pretrained models constrain the input); the
PyTorch forum thread "[Transfer Learning] What is the purpose of normalization?"
(normalize target data with the source's mean and std). Data: digits 0-4 as the
source task, 5-9 as the target.
"""

import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


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
    raw = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1)
    raw, y = raw.to(device), torch.tensor(digits.target).to(device)  # 0..16
    g = torch.Generator().manual_seed(SEED)
    perm = torch.randperm(len(y), generator=g).to(device)
    src, tgt = perm[y[perm] < 5], perm[y[perm] >= 5]
    src_train, src_test = src[:600], src[600:]

    # --8<-- [start:pretrain]
    mean, std = raw[src_train].mean(), raw[src_train].std()  # source stats

    def source_prep(images):  # what pretraining used
        return (images - mean) / std

    def other_prep(images):  # a common slip: /16 only
        return images / 16.0

    body, head = make_body().to(device), nn.Linear(16, 5).to(device)
    x_src = source_prep(raw[src_train])
    fit(
        list(body.parameters()) + list(head.parameters()),
        lambda: F.cross_entropy(head(body(x_src)), y[src_train]),
        steps=60,
    )
    body.eval()  # frozen from here on
    # --8<-- [end:pretrain]

    @torch.no_grad()
    def source_acc(prep):
        return (
            (head(body(prep(raw[src_test]))).argmax(1) == y[src_test])
            .float()
            .mean()
            .item()
        )

    # --8<-- [start:probe]
    def probe_acc(prep, per_class=10):  # new head on frozen body
        train = torch.cat([tgt[y[tgt] == c][:per_class] for c in range(5, 10)])
        test = tgt[~torch.isin(tgt, train)]
        with torch.no_grad():
            f_train, f_test = body(prep(raw[train])), body(prep(raw[test]))
        probe = nn.Linear(16, 10).to(device)
        fit(
            probe.parameters(),
            lambda: F.cross_entropy(probe(f_train), y[train]),
            steps=100,
        )
        with torch.no_grad():
            return (probe(f_test).argmax(1) == y[test]).float().mean().item()

    # --8<-- [end:probe]

    results = {
        "source preprocessing": (
            source_acc(source_prep),
            probe_acc(source_prep),
        ),
        "pixels / 16 only": (source_acc(other_prep), probe_acc(other_prep)),
    }
    (s_ok, p_ok), (s_bad, p_bad) = results.values()
    assert s_ok > s_bad + 0.1, results  # silent accuracy loss
    assert p_ok > p_bad + 0.02, results
    tol = {
        "source preprocessing": ("0.02", "0.06"),  # spread, seeds 0-4
        "pixels / 16 only": ("0.5", "0.1"),
    }
    for name, (s, p) in results.items():
        print(
            f"{name}, source model on source test digits: "
            f"{s:.2f} ±{tol[name][0]}"
        )
        print(
            f"{name}, linear probe on target digits 5-9: "
            f"{p:.2f} ±{tol[name][1]}"
        )


if __name__ == "__main__":
    main()
