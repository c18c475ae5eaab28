"""A convolution's parameter count ignores the map size; its multiply-adds scale
with it, so count both.

Szegedy et al. 2015, "Going Deeper with Convolutions" (CVPR), Section 4 and
Table 1 list parameters and operations per block separately; the cost of a kxk
convolution is H * W * C_out * C_in * k^2 multiply-adds for C_out * (C_in * k^2
+ 1) parameters.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:count]
def params_and_macs(conv: nn.Conv2d, size: int) -> tuple[int, int]:
    out = conv(torch.zeros(1, conv.in_channels, size, size))  # (1, C_out, H, W)
    params = sum(p.numel() for p in conv.parameters())
    k_h, k_w = conv.kernel_size
    macs = out[0].numel() * conv.in_channels * k_h * k_w  # per image
    return params, macs


# --8<-- [end:count]


def main() -> None:
    torch.manual_seed(SEED)
    layers = {
        "3x3 conv 64->64 on 56x56": (nn.Conv2d(64, 64, 3, padding=1), 56),
        "3x3 conv 64->64 on 7x7": (nn.Conv2d(64, 64, 3, padding=1), 7),
        "1x1 conv 256->64 on 56x56": (nn.Conv2d(256, 64, 1), 56),
    }
    counts = {
        name: params_and_macs(conv, size)
        for name, (conv, size) in layers.items()
    }
    (p56, m56), (p7, m7), (p1, m1) = counts.values()
    assert p56 == p7 and m56 == 64 * m7  # same weights, 64x cost
    assert p1 < p7 and m1 > 20 * m7  # fewer weights, more work
    assert m56 == 56 * 56 * 64 * 64 * 9  # the closed form
    for name, (p, m) in counts.items():
        print(f"{name}: {p} parameters, {m / 1e6:.1f}M multiply-adds")


if __name__ == "__main__":
    main()
