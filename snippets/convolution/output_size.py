"""out = floor((H + 2p - d(k-1) - 1)/s) + 1 gives the output size of nn.Conv2d,
nn.MaxPool2d and nn.AvgPool2d for every setting tried.

Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning"
(arXiv 1603.07285), Chapter 2 (Relationship 6, no dilation), Chapter 3
(Relationship 7, pooling) and Section 5.1 (dilated convolutions); the shape
formulas in PyTorch's nn.Conv2d and nn.MaxPool2d documentation.
"""

import itertools
import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:formula]
def conv_out_size(h: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    k_eff = d * (k - 1) + 1  # span of the dilated kernel
    return (h + 2 * p - k_eff) // s + 1  # floor: drop a partial window


# --8<-- [end:formula]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    checked = {"nn.Conv2d": 0, "nn.MaxPool2d": 0, "nn.AvgPool2d": 0}
    # --8<-- [start:grid]
    for h, k, s, p, d in itertools.product(
        range(5, 17), [1, 2, 3, 5], [1, 2, 3], [0, 1, 2], [1, 2, 3]
    ):
        if h + 2 * p < d * (k - 1) + 1:
            continue  # the kernel does not fit: no output
        x = torch.randn(1, 1, h, h, device=device)
        want = conv_out_size(h, k, s, p, d)
        conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
        assert conv.to(device)(x).shape[-1] == want
        checked["nn.Conv2d"] += 1
        if 2 * p <= k:  # PyTorch pools need p <= k/2
            pool = nn.MaxPool2d(k, stride=s, padding=p, dilation=d)
            assert pool(x).shape[-1] == want
            checked["nn.MaxPool2d"] += 1
            if d == 1:  # AvgPool2d has no dilation
                assert nn.AvgPool2d(k, s, p)(x).shape[-1] == want
                checked["nn.AvgPool2d"] += 1
    # --8<-- [end:grid]
    assert min(checked.values()) > 100
    for name, count in checked.items():
        print(f"settings checked against {name}: {count}")
    print(f"32x32, k=3, s=1, p=1: {conv_out_size(32, 3, 1, 1)}")
    print(f"32x32, k=3, s=2, p=1: {conv_out_size(32, 3, 2, 1)}")
    print(f"32x32, k=3, s=1, p=2, d=2: {conv_out_size(32, 3, 1, 2, 2)}")


if __name__ == "__main__":
    main()
