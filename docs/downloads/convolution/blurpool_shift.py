# blurpool_shift.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/blurpool_shift.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python blurpool_shift.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "70cf353c631df52a1b9b4eab211895093d8d9d8b221da9c11789dd01513a437d", "sources": {"snippets/convolution/blurpool_shift.py": "7ac83035fc02678de18645979d89aecc81234f956387358831870396608bb670", "snippets/convolution/cnn_shift.py": "75d38c0fcde806f109414534f5d71f7958d98c45d5a698831318d76ff0fbc123"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/convolution/cnn_shift.py
_add_module('cnn_shift', r'''"""A small CNN with pooling is not translation invariant: a one-pixel shift
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
''')


# --- the snippet, unchanged: snippets/convolution/blurpool_shift.py ---
"""Blurring before subsampling (MaxBlurPool) makes a CNN's predictions far more
consistent under a one-pixel shift; on the 8x8 digits it costs accuracy on
the unshifted digits and gains it on the shifted ones.

Zhang 2019, "Making Convolutional Networks Shift-Invariant Again", ICML,
Section 3 (max pooling = a dense max, then subsampling; MaxBlurPool puts a
low-pass filter between the two) and Section 4 (consistency: how often a
shift leaves the predicted class unchanged).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

# cnn_shift.py is in the same folder
from cnn_shift import digits_split, make_cnn, one_pixel_shifts, train

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:blurpool]
class MaxBlurPool(nn.Module):
    """MaxPool2d(2) as Zhang writes it, with a blur before the subsampling:
    a dense 2x2 max (stride 1), a [1, 2, 1] x [1, 2, 1] / 16 blur, then every
    second pixel. Circular padding, like the convolutions it follows."""

    def __init__(self, channels: int):
        super().__init__()
        k = torch.tensor([1.0, 2.0, 1.0])
        k = torch.outer(k, k) / 16  # a binomial low-pass filter
        self.register_buffer("kernel", k.expand(channels, 1, 3, 3).clone())

    def forward(self, x):
        x = F.max_pool2d(F.pad(x, (0, 1, 0, 1), mode="circular"), 2, stride=1)
        x = F.pad(x, (1, 1, 1, 1), mode="circular")  # dense max, same size
        return F.conv2d(x, self.kernel, stride=2, groups=x.shape[1])


def make_blur_cnn() -> nn.Sequential:
    """The shift experiment's CNN with each MaxPool2d(2) a MaxBlurPool."""
    layers = list(make_cnn())
    for i, m in enumerate(layers):
        if isinstance(m, nn.MaxPool2d):
            layers[i] = MaxBlurPool(layers[i - 2].out_channels)
    return nn.Sequential(*layers)


# --8<-- [end:blurpool]


def share(hits: list[torch.Tensor]) -> float:
    """The fraction of True over a list of boolean tensors."""
    return torch.stack(hits).float().mean().item()


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x_train, y_train, x_test, y_test = digits_split(device)
    # --8<-- [start:check]
    # with a delta for the blur, MaxBlurPool is MaxPool2d(2): the split of
    # max pooling into a dense max and a subsampling is exact
    delta = MaxBlurPool(3).to(device)
    delta.kernel.zero_()
    delta.kernel[:, :, 1, 1] = 1
    z = torch.randn(2, 3, 8, 8, device=device)
    assert torch.equal(delta(z), nn.MaxPool2d(2)(z)), "a dense max, subsampled"
    # --8<-- [end:check]
    # --8<-- [start:run]
    shifted = one_pixel_shifts(x_test)  # right, left, down, up
    result = {}
    for name, make in (
        ("max pooling", make_cnn),
        ("MaxBlurPool", make_blur_cnn),
    ):
        torch.manual_seed(SEED)
        model = train(make().to(device), x_train, y_train)
        with torch.no_grad():
            out = model(x_test)
            moved = [model(x).argmax(1) for x in shifted]
            by_4 = model(torch.roll(x_test, 4, dims=-1))  # the total stride
        assert torch.allclose(by_4, out, atol=1e-4), (
            "invariant under a shift by 4, up to rounding"
        )
        pred = out.argmax(1)
        result[name] = {  # the shifted figures: means over the four shifts
            "consistency": share([m == pred for m in moved]),
            "accuracy": (pred == y_test).float().mean().item(),
            "accuracy, shifted": share([m == y_test for m in moved]),
        }
    plain, blur = result["max pooling"], result["MaxBlurPool"]
    assert blur["consistency"] > plain["consistency"] + 0.15, (
        f"the blur keeps more predictions under a 1-pixel shift {result}"
    )
    assert blur["accuracy, shifted"] > plain["accuracy, shifted"], (
        f"the blur net is more accurate on the shifted digits {result}"
    )
    # --8<-- [end:run]
    # the largest distance from seed 0 over seeds 0-9 and other kernels
    tol = {
        "max pooling": {"consistency": 0.15, "accuracy": 0.04, "shifted": 0.15},
        "MaxBlurPool": {"consistency": 0.15, "accuracy": 0.15, "shifted": 0.2},
    }
    for name, r in result.items():
        t = tol[name]
        print(
            f"{name}, consistency: {r['consistency']:.2f} ±{t['consistency']}"
        )
        print(f"{name}, test accuracy: {r['accuracy']:.3f} ±{t['accuracy']}")
        print(
            f"{name}, test accuracy shifted by 1 pixel: "
            f"{r['accuracy, shifted']:.3f} ±{t['shifted']}"
        )


if __name__ == "__main__":
    main()
