# gap_vs_fc.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/gap_vs_fc.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python gap_vs_fc.py
#
# kb-download: {"record": "95f08bdf3414b6e1360b9e025b96038c5665eb8904d7748137922bf047fd9ece", "sources": {"snippets/network_in_network/gap_vs_fc.py": "deefb456fed280437b4e853ed00203c73d2aae64786de8a418df447eadba6a3a"}}


# --- the snippet, unchanged: snippets/network_in_network/gap_vs_fc.py ---
"""Trained on 150 digits, a GAP head and a fully connected head on the same
mlpconv body both fit the training set; which one generalizes better is measured
over seeds, not asserted.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2 (global average
pooling as a structural regularizer) and Section 4.6 (GAP versus a fully
connected head, with and without dropout, on CIFAR-10); data: scikit-learn's
digits.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, EPOCHS, BATCH = 150, 30, 32  # few digits: room to overfit


def mlpconv(c_in: int, c_mid: int, c_out: int) -> nn.Sequential:
    # as in nin_digits.py: 3x3 conv then two 1x1 convs, BatchNorm added
    return nn.Sequential(
        nn.Conv2d(c_in, c_mid, 3, padding=1),
        nn.BatchNorm2d(c_mid),
        nn.ReLU(),
        nn.Conv2d(c_mid, c_mid, 1),
        nn.ReLU(),
        nn.Conv2d(c_mid, c_out, 1),
    )


# --8<-- [start:heads]
def body(c_last: int) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        mlpconv(1, 32, 32),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 4, 4)
        mlpconv(32, 32, c_last),  # (N, c_last, 4, 4)
    )


def gap_net(classes: int = 10) -> nn.Sequential:
    # one map per class, averaged: the head has no parameters
    return nn.Sequential(body(classes), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def fc_net(classes: int = 10) -> nn.Sequential:
    # 32 maps, flattened, read by a dense layer: (N, 512) -> (N, 10)
    return nn.Sequential(
        body(32), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, classes)
    )


# --8<-- [end:heads]


# --8<-- [start:train]
def fit(model, x, y, seed: int) -> None:
    """Adam, learning rate decaying linearly to 0, as in nin_digits.py; the
    same seed gives both heads the same order of batches."""
    order = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    steps = EPOCHS * -(-len(x) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / steps)
    model.train()
    for _ in range(EPOCHS):
        perm = torch.randperm(len(x), generator=order).to(x.device)
        for i in range(0, len(x), BATCH):
            idx = perm[i : i + BATCH]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()


@torch.no_grad()
def accuracy(model, x, y) -> float:
    return (model(x).argmax(1) == y).float().mean().item()


# --8<-- [end:train]


def count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target, device=device)
    # a fresh draw of the 150 training digits for every seed; the rest test
    order = torch.randperm(
        len(y), generator=torch.Generator().manual_seed(SEED)
    )
    train, test = order[:N_TRAIN].to(device), order[N_TRAIN:].to(device)

    results = {}
    for name, make in (("GAP head", gap_net), ("FC head", fc_net)):
        torch.manual_seed(SEED)
        model = make().to(device)
        fit(model, x[train], y[train], SEED)
        acc_tr = accuracy(model, x[train], y[train])
        acc_te = accuracy(model, x[test], y[test])
        results[name] = (count(model), acc_tr, acc_te)

    (gap_params, gap_tr, gap_te), (fc_params, fc_tr, fc_te) = results.values()
    # FC adds the dense layer, and its last 1x1 conv makes 32 maps, not 10
    extra = count(nn.Linear(32 * 4 * 4, 10)) + (32 - 10) * (32 + 1)
    assert fc_params - gap_params == extra, (gap_params, fc_params, extra)
    # both heads fit the training digits: the test accuracy separates them
    assert gap_tr > 0.95 and fc_tr > 0.95, (
        f"both heads fit the training digits: {gap_tr:.3f}, {fc_tr:.3f}"
    )
    assert gap_te > 0.8 and fc_te > 0.8, (gap_te, fc_te)

    print(f"training digits: {len(train)}")
    print(f"test digits: {len(test)}")
    for name, (params, acc_tr, acc_te) in results.items():
        print(f"{name}, parameters: {params}")
        print(f"{name}, train accuracy: {acc_tr:.3f} ±0.01")
        print(f"{name}, test accuracy: {acc_te:.3f} ±0.03")
        print(f"{name}, train-test gap: {acc_tr - acc_te:.3f} ±0.03")


if __name__ == "__main__":
    main()
