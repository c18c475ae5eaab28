# cnn_shift.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/cnn_shift.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python cnn_shift.py
#
# kb-download: {"record": "9dc166ca47220bad6abf8d16c8b63c40ad2cd445c95d43c655b1fdc315e8a0cb", "sources": {"snippets/convolution/cnn_shift.py": "75d38c0fcde806f109414534f5d71f7958d98c45d5a698831318d76ff0fbc123"}}


# --- the snippet, unchanged: snippets/convolution/cnn_shift.py ---
"""A small CNN with pooling is not translation invariant: a one-pixel shift
changes its output and many predictions; with circular padding and a global
pool, only shifts by a multiple of its total stride leave it unchanged, and
removing the subsampling makes it exactly invariant.

Azulay & Weiss 2019, "Why do deep convolutional networks generalize so poorly to
small image transformations?", JMLR 20(184): subsampling ignores the sampling
theorem; Zhang 2019, "Making Convolutional Networks Shift-Invariant Again",
ICML, Figure 3: pooling = dense pooling followed by subsampling, which loses
shift-equivariance.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
def make_cnn() -> nn.Sequential:
    conv = lambda c_in, c_out: nn.Conv2d(
        c_in, c_out, 3, padding=1, padding_mode="circular"
    )
    return nn.Sequential(
        conv(1, 16),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8x8 -> 4x4
        conv(16, 32),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 4x4 -> 2x2
        nn.AdaptiveAvgPool2d(1),  # global average pool
        nn.Flatten(),
        nn.Linear(32, 10),
    )  # total stride 4


def one_pixel_shifts(x: torch.Tensor) -> list[torch.Tensor]:
    """x rolled one pixel right, left, down and up: the shift figures are
    means over the four, so that no single direction decides them."""
    return [
        torch.roll(x, step, dims=dim) for dim in (-1, -2) for step in (1, -1)
    ]


# --8<-- [end:model]


def digits_split(device: str):
    """The 8x8 digits as (N, 1, 8, 8) in [0, 1], shuffled by SEED: 1400 to
    train on, the other 397 to test."""
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16
    y = torch.tensor(digits.target)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(SEED))
    x, y = x[perm].to(device), y[perm].to(device)
    return x[:1400], y[:1400], x[1400:], y[1400:]


def train(model: nn.Module, x_train, y_train, epochs: int = 15) -> nn.Module:
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(epochs):
        for i in range(0, len(x_train), 100):
            loss = F.cross_entropy(
                model(x_train[i : i + 100]), y_train[i : i + 100]
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x_train, y_train, x_test, y_test = digits_split(device)
    model = train(make_cnn().to(device), x_train, y_train)
    # --8<-- [start:shift]
    with torch.no_grad():
        out = model(x_test)  # (N, 10) logits
        by_1 = [model(x) for x in one_pixel_shifts(x_test)]
        by_4 = model(torch.roll(x_test, 4, dims=-1))  # 4 = total stride
    relative = lambda new: (new - out).norm(dim=1) / out.norm(dim=1)  # (N,)
    changed = lambda new: (new.argmax(1) != out.argmax(1)).float().mean()
    rel_1 = torch.stack([relative(b).mean() for b in by_1]).mean().item()
    flips = torch.stack([changed(b) for b in by_1]).mean().item()
    rel_4 = relative(by_4).max().item()  # the largest over the images
    # --8<-- [end:shift]
    # --8<-- [start:no_pool]
    # same weights, stride 1
    no_pool = nn.Sequential(
        *[m for m in model if not isinstance(m, nn.MaxPool2d)]
    )
    with torch.no_grad():
        gap = no_pool(torch.roll(x_test, 1, dims=-1)) - no_pool(x_test)
    rel_no_pool = (gap.norm(dim=1) / no_pool(x_test).norm(dim=1)).max().item()
    # --8<-- [end:no_pool]
    acc = (out.argmax(1) == y_test).float().mean().item()
    assert acc > 0.8, acc
    assert rel_1 > 0.05, rel_1  # a 1-pixel shift matters
    assert flips > 0, flips
    assert rel_4 < 1e-5, (
        f"invariant to a shift by the total stride, up to rounding: {rel_4}"
    )
    assert rel_no_pool < 1e-5, (
        f"without the pooling, invariant to a one-pixel shift: {rel_no_pool}"
    )
    # bands: the largest distance from seed 0 over seeds 0-9 and other
    # kernels, rounded up
    print(f"test accuracy: {acc:.2f} ±0.03")
    print(
        f"mean relative change of the logits, one-pixel shift: {rel_1:.2f} ±0.1"
    )
    print(
        f"fraction of test predictions changed by a one-pixel shift: "
        f"{flips:.2f} ±0.15"
    )
    print(f"relative change, 4-pixel circular shift below 1e-5: {rel_4 < 1e-5}")
    print(
        "without the pooling layers, relative change of a 1-pixel shift "
        f"below 1e-5: {rel_no_pool < 1e-5}"
    )


if __name__ == "__main__":
    main()
