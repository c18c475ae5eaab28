"""Halving the grid while doubling the channels: pooling first costs about a
quarter of convolving first but squeezes everything through a quarter of the
input's numbers; a stride-2 convolution beside a stride-2 pooling, concatenated,
is cheaper still and, with non-overlapping windows, keeps the output's full
dimension.

Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
Vision" (CVPR), Section 2 (principle 1), Section 5 and Figures 9 and 10.
"""

import os
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from factorized_convs import macs

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:blocks]
# d x d x k in, d/2 x d/2 x 2k out (d odd: 35 -> 17, 9 -> 4). 2x2 pooling
# windows do not overlap, so no input is the maximum of two windows.
def pool_then_conv(k: int) -> nn.Sequential:  # Figure 9, left
    return nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(k, 2 * k, 3, padding=1))


def conv_then_pool(k: int) -> nn.Sequential:  # Figure 9, right
    return nn.Sequential(nn.Conv2d(k, 2 * k, 3, padding=1), nn.MaxPool2d(2))


def strided_conv(k: int) -> nn.Sequential:  # the obvious alternative
    return nn.Sequential(nn.Conv2d(k, 2 * k, 3, stride=2))


class ConvBesidePool(nn.Module):  # Section 5: "two parallel stride 2 blocks"
    def __init__(self, k: int):
        super().__init__()
        self.conv = nn.Conv2d(k, k, 3, stride=2)  # C: k new channels
        self.pool = nn.MaxPool2d(2)  # P: the k input channels, pooled

    def forward(self, x):
        return torch.cat([self.conv(x), self.pool(x)], dim=1)  # 2k channels


# --8<-- [end:blocks]


# --8<-- [start:measure]
def narrowest_cut(block: nn.Module, x: torch.Tensor) -> int:
    """Per image, the smallest tensor between stages, input and output included:
    the narrowest cut every path from input to output passes, layer by layer."""
    sizes = [x[0].numel()]
    stages = list(block) if isinstance(block, nn.Sequential) else [block]
    # The parallel block is one stage: a cut inside it crosses both branches,
    # and the thinnest such cut is their two outputs, i.e. its output.
    for stage in stages:
        x = stage(x)
        sizes.append(x[0].numel())
    return min(sizes)


def output_dimension(block: nn.Module, x: torch.Tensor) -> int:
    """Rank of the Jacobian d(output)/d(input) at x: the number of independent
    directions in which the output moves for small moves of the input."""
    jac = torch.autograd.functional.jacobian(lambda t: block(t).flatten(), x)
    return int(torch.linalg.matrix_rank(jac.reshape(jac.shape[0], -1)))


# --8<-- [end:measure]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    ways = {
        "pool then conv": pool_then_conv,
        "conv then pool": conv_then_pool,
        "stride-2 conv": strided_conv,
        "conv beside pool": ConvBesidePool,
    }

    # The paper's example (Figure 9): 35x35x320 -> 17x17x640.
    d, k = 35, 320
    half = d // 2  # 17: the odd grid's last row and column are dropped
    blocks = {name: make(k) for name, make in ways.items()}
    x = torch.zeros(1, k, d, d)
    cost = {name: macs(block, size=d) for name, block in blocks.items()}
    cut = {name: narrowest_cut(block, x) for name, block in blocks.items()}
    out = {name: block(x).shape[1:] for name, block in blocks.items()}
    assert all(s == (2 * k, half, half) for s in out.values()), out

    # The same blocks, small enough for a full Jacobian (float64).
    d_small, k_small = 9, 4  # 9x9x4 -> 4x4x8
    x_small = torch.randn(1, k_small, d_small, d_small, dtype=torch.float64)
    dim = {}
    for name, make in ways.items():
        block = make(k_small).double().to(device)
        dim[name] = output_dimension(block, x_small.to(device))
    pooled_numbers = (d_small // 2) ** 2 * k_small  # what the pooling keeps
    output_numbers = 2 * pooled_numbers

    # Pooling first: the output is a function of (d/2)^2 k pooled numbers.
    assert cut["pool then conv"] == half * half * k, f"(d/2)^2 k numbers: {cut}"
    others = [cut[name] for name in ways if name != "pool then conv"]
    output_size = half * half * 2 * k
    assert others == [output_size] * 3, (
        f"the other three pass no cut narrower than their output: {cut}"
    )
    assert dim["pool then conv"] == pooled_numbers, (
        f"pooling first reaches only the directions the pooling keeps: {dim}"
    )
    others = [dim[name] for name in ways if name != "pool then conv"]
    assert others == [output_numbers] * 3, (
        f"the other three reach the output's full dimension: {dim}"
    )

    # Section 5's count: convolving on the d x d grid costs about 4x.
    ratio_conv_first = cost["conv then pool"] / cost["pool then conv"]
    ratio_beside = cost["conv then pool"] / cost["conv beside pool"]
    exact = cost["conv then pool"] * half**2 == cost["pool then conv"] * d**2
    assert exact, f"(35/17)^2 as costly: {cost}"
    same = cost["stride-2 conv"] == cost["pool then conv"]
    assert same, f"a stride-2 conv costs what pooling first costs: {cost}"
    halved = cost["conv beside pool"] * 2 == cost["pool then conv"]
    assert halved, f"conv beside pool costs half of pool then conv: {cost}"

    for name in ways:
        print(f"{name}, multiply-adds 35x35x320 -> 17x17x640: {cost[name]}")
    print(f"cost ratio conv then pool / pool then conv: {ratio_conv_first:.2f}")
    print(f"cost ratio conv then pool / conv beside pool: {ratio_beside:.2f}")
    for name in ways:
        print(f"{name}, narrowest cut (numbers per image): {cut[name]}")
    print(f"output numbers per image, 9x9x4 -> 4x4x8: {output_numbers}")
    for name in ways:
        print(f"{name}, output dimension (Jacobian rank): {dim[name]}")


if __name__ == "__main__":
    main()
