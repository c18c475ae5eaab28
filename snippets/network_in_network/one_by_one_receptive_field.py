"""Stacked 1x1 convolutions never enlarge the receptive field: an output pixel
depends on one input pixel only.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.1: the 1x1 layers
of an mlpconv pool across channels at each location; spatial context comes from
the first KxK layer.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:footprint]
def footprint(net: nn.Module, size: int = 11) -> int:
    """How many input pixels the centre output pixel depends on."""
    x = torch.randn(1, 4, size, size, requires_grad=True)
    net(x)[0, :, size // 2, size // 2].sum().backward()
    return int((x.grad.abs().sum(dim=1) > 0).sum())


def stack(kernel: int, depth: int) -> nn.Sequential:
    layers = []
    for _ in range(depth):
        layers += [
            nn.Conv2d(4, 4, kernel, padding=kernel // 2),
            nn.LeakyReLU(0.1),  # no dead units
        ]
    return nn.Sequential(*layers)


# --8<-- [end:footprint]


def main() -> None:
    torch.manual_seed(SEED)
    one = [footprint(stack(1, d)) for d in (1, 3, 5)]
    mlpconv = footprint(nn.Sequential(stack(3, 1), stack(1, 2)))
    three = [footprint(stack(3, d)) for d in (1, 2, 3)]
    assert one == [1, 1, 1], one
    assert mlpconv == 9, mlpconv  # 3x3, from its first layer
    assert three == [9, 25, 49], three  # (2d + 1)^2
    print(
        f"1x1 convs, depth 1 / 3 / 5: input pixels seen "
        f"{one[0]} / {one[1]} / {one[2]}"
    )
    print(f"mlpconv (3x3 then two 1x1): input pixels seen {mlpconv}")
    print(
        f"3x3 convs, depth 1 / 2 / 3: input pixels seen "
        f"{three[0]} / {three[1]} / {three[2]}"
    )


if __name__ == "__main__":
    main()
