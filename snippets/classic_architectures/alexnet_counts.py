"""AlexNet has about 60 million parameters and needs about 0.7 G multiply-adds
per 227x227 image.

Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS: abstract and section 4 ("60 million
parameters"), section 3.5 and Figure 2 (the layers), sections 3.2 and 3.5
(kernels of conv2, conv4, conv5 see only the maps on their own GPU), section
4.2 (dropout on the outputs of the first two fully connected layers).
"""

import os

import torch
from torch import nn

from layer_counts import closed_form, measure, print_table

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
def alexnet(widths=(96, 256, 384, 384, 256), groups=2, pad1=0) -> nn.Sequential:
    """Section 3.5 on one device. groups=2 keeps the two-GPU connectivity
    of sections 3.2 and 3.5: conv2, conv4, conv5 see only their own half."""
    c1, c2, c3, c4, c5 = widths

    def lrn():  # section 3.3; PyTorch divides alpha by size, so 5 * 1e-4
        return nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)

    return nn.Sequential(  # (N, 3, 227, 227)
        nn.Conv2d(3, c1, 11, stride=4, padding=pad1),
        nn.ReLU(),
        lrn(),
        nn.MaxPool2d(3, 2),  # (N, 96, 27, 27)
        nn.Conv2d(c1, c2, 5, padding=2, groups=groups),
        nn.ReLU(),
        lrn(),
        nn.MaxPool2d(3, 2),  # (N, 256, 13, 13)
        nn.Conv2d(c2, c3, 3, padding=1),
        nn.ReLU(),  # all maps: 3.5
        nn.Conv2d(c3, c4, 3, padding=1, groups=groups),
        nn.ReLU(),
        nn.Conv2d(c4, c5, 3, padding=1, groups=groups),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),  # (N, 256, 6, 6)
        nn.Flatten(),
        nn.Linear(c5 * 6 * 6, 4096),
        nn.ReLU(),
        nn.Dropout(0.5),  # section 4.2: on fc6's and fc7's outputs
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(4096, 1000),
    )


# --8<-- [end:model]


# the same network as a table: ("conv", c_out, k, stride, pad, groups), ...
SPEC = [
    ("conv", 96, 11, 4, 0, 1),
    ("pool", 3, 2),
    ("conv", 256, 5, 1, 2, 2),
    ("pool", 3, 2),
    ("conv", 384, 3, 1, 1, 1),
    ("conv", 384, 3, 1, 1, 2),
    ("conv", 256, 3, 1, 1, 2),
    ("pool", 3, 2),
    ("fc", 4096),
    ("fc", 4096),
    ("fc", 1000),
]
NAMES = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main() -> None:
    torch.manual_seed(SEED)
    # --8<-- [start:count]
    with torch.device("meta"):  # shapes only, no memory
        paper = alexnet()  # two GPU halves, groups=2
        merged = alexnet(groups=1)  # halves fully connected
        tv = alexnet((64, 192, 384, 256, 256), groups=1, pad1=2)
    rows = measure(paper, (3, 227, 227))
    assert rows == closed_form(SPEC, 3, 227)  # modules == arithmetic
    rows_tv = measure(tv, (3, 224, 224))  # torchvision's shape
    # --8<-- [end:count]
    total = sum(r["params"] for r in rows)
    assert total == count(paper) == 60_965_224
    for n in (total, count(merged), count(tv)):
        # "60 million", 1 digit
        assert round(n, -7) == 60_000_000, (
            f"each count rounds to 60 million, {n}"
        )
    macs = sum(r["macs"] for r in rows)
    assert 0.7e9 < macs < 0.75e9, macs
    assert rows[0]["shape"] == (96, 55, 55)  # Figure 2: 55x55
    print_table(NAMES, rows)
    print("input: 3x227x227")
    print(f"parameters, paper's net with 2 groups: {total:,}")
    print(f"parameters, the 2 groups merged: {count(merged):,}")
    print(f"parameters, torchvision-style (224 input): {count(tv):,}")
    print(f"multiply-adds, paper's net: {macs / 1e9:.3f} G")
    print(
        f"multiply-adds, torchvision-style: "
        f"{sum(r['macs'] for r in rows_tv) / 1e9:.3f} G"
    )


if __name__ == "__main__":
    main()
