# preprocessing_mismatch.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/transfer_learning/preprocessing_mismatch.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python preprocessing_mismatch.py
#
# kb-download: {"record": "97d0f73d2939fbb62c4cbddcc51474e70a642742871b3ca3b3878ed5300c28c3", "sources": {"snippets/transfer_learning/preprocessing_mismatch.py": "71d6ab50cec2b177293d4a00f56c548b890f52046a4272f1f7ad701750283f9e"}}


# --- the snippet, unchanged: snippets/transfer_learning/preprocessing_mismatch.py ---
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
PRETRAININGS = 5  # bodies pretrained from different initializations
# spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
TOL = {"s_ok": "±0.01", "p_ok": "±0.04", "lost": "±0.09", "p_bad": "±0.09"}


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

    def pretrain():
        body, head = make_body().to(device), nn.Linear(16, 5).to(device)
        x_src = source_prep(raw[src_train])
        fit(
            list(body.parameters()) + list(head.parameters()),
            lambda: F.cross_entropy(head(body(x_src)), y[src_train]),
            steps=60,
        )
        return body.eval(), head  # the body is frozen from here on

    # --8<-- [end:pretrain]

    @torch.no_grad()
    def source_acc(body, head, prep):
        return (
            (head(body(prep(raw[src_test]))).argmax(1) == y[src_test])
            .float()
            .mean()
            .item()
        )

    # --8<-- [start:probe]
    def probe_acc(body, prep, per_class=10):  # new head on frozen body
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

    # how much one pretrained body suffers from the slip varies widely, so
    # every figure is the mean over PRETRAININGS bodies
    preps = {
        "source preprocessing": source_prep,
        "pixels / 16 only": other_prep,
    }
    runs = {name: [] for name in preps}  # (source accuracy, probe accuracy)
    for _ in range(PRETRAININGS):
        body, head = pretrain()
        for name, prep in preps.items():
            runs[name].append(
                (source_acc(body, head, prep), probe_acc(body, prep))
            )
        ok, bad = (runs[name][-1][0] for name in preps)
        assert ok > bad + 0.1, (
            "every pretrained body loses more than 0.1 of its source "
            f"accuracy to the slip: {runs}"
        )
    (s_ok, p_ok), (s_bad, p_bad) = (np.mean(r, axis=0) for r in runs.values())
    assert p_ok > p_bad + 0.02, (
        f"the probe on mismatched inputs does worse on average: {runs}"
    )
    print(f"pretrained bodies: {PRETRAININGS}, each figure below is their mean")
    print(
        f"source preprocessing, source model on source test digits: "
        f"{s_ok:.2f} {TOL['s_ok']}"
    )
    print(
        f"source preprocessing, linear probe on target digits 5-9: "
        f"{p_ok:.2f} {TOL['p_ok']}"
    )
    print(
        f"pixels / 16 only, source model on source test digits, accuracy "
        f"lost: {s_ok - s_bad:.2f} {TOL['lost']}"
    )
    print(
        f"pixels / 16 only, linear probe on target digits 5-9: "
        f"{p_bad:.2f} {TOL['p_bad']}"
    )


if __name__ == "__main__":
    main()
