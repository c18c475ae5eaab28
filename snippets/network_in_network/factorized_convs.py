"""Two stacked 3x3 convolutions see the 5x5 window of one 5x5 convolution for
18/25 of its multiply-adds, and a 1x3 followed by a 3x1 sees the 3x3 window of
one 3x3 convolution for 6/9; without a nonlinearity between them they are a
restricted 5x5 (or 3x3) convolution.

Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
Vision" (CVPR), Section 3.1 (5x5 -> two 3x3, "a relative gain of 28%") and
Section 3.2 (n x n -> 1 x n then n x 1, 33% cheaper for 3x3).
"""

import os
from fractions import Fraction

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:factorize]
def five_by_five(c: int, act=nn.ReLU) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c, c, 5, padding=2), act())


def two_three_by_three(c: int, act=nn.ReLU) -> nn.Sequential:  # Section 3.1
    return nn.Sequential(
        nn.Conv2d(c, c, 3, padding=1), act(),
        nn.Conv2d(c, c, 3, padding=1), act(),
    )  # fmt: skip


def one_by_three_then_three_by_one(c: int, act=nn.ReLU) -> nn.Sequential:
    return nn.Sequential(  # Section 3.2
        nn.Conv2d(c, c, (1, 3), padding=(0, 1)), act(),
        nn.Conv2d(c, c, (3, 1), padding=(1, 0)), act(),
    )  # fmt: skip


# --8<-- [end:factorize]


# --8<-- [start:measure]
def macs(net: nn.Module, size: int = 16) -> int:
    """Multiply-adds per image of every Conv2d, counted with forward hooks."""
    counts = []

    def hook(conv, inp, out):  # each output value: c_in * kh * kw
        k_h, k_w = conv.kernel_size
        counts.append(out[0].numel() * conv.in_channels * k_h * k_w)

    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    handles = [m.register_forward_hook(hook) for m in convs]
    net(torch.zeros(1, convs[0].in_channels, size, size))
    for h in handles:
        h.remove()
    return sum(counts)


def footprint(net: nn.Module, size: int = 11) -> torch.Tensor:
    """Mask of the input pixels the centre output pixel depends on."""
    x = torch.randn(1, net[0].in_channels, size, size, requires_grad=True)
    net(x)[0, :, size // 2, size // 2].sum().backward()
    return x.grad.abs().sum(dim=(0, 1)) > 0  # (size, size)


# --8<-- [end:measure]


# --8<-- [start:compose]
def compose(w1: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
    """The single kernel of conv(w2) after conv(w1), both padding 0, no bias.

    k[o, i, u, v] = sum_{m, a, b} w2[o, m, a, b] * w1[m, i, u - a, v - b]:
    a transposed convolution of w1 (batch i, channels m) with w2.
    """
    k = F.conv_transpose2d(w1.transpose(0, 1), w2.transpose(0, 1))
    return k.transpose(0, 1)  # (C_out, C_in, kh1 + kh2 - 1, kw1 + kw2 - 1)


# --8<-- [end:compose]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    c = 64

    # Receptive field: the centre pixel's footprint is a full square.
    leaky = nn.LeakyReLU  # no dead units: every path carries gradient
    rf_stack = footprint(two_three_by_three(4, leaky))
    rf_asym = footprint(one_by_three_then_three_by_one(4, leaky))
    box5 = torch.zeros(11, 11, dtype=torch.bool)
    box5[3:8, 3:8] = True
    box3 = torch.zeros(11, 11, dtype=torch.bool)
    box3[4:7, 4:7] = True
    assert torch.equal(rf_stack, box5), rf_stack.int()  # two 3x3 see 5x5
    assert torch.equal(rf_asym, box3), rf_asym.int()  # 1x3 then 3x1 see 3x3

    # Cost, for equal filter counts (c -> c -> c) on a 16x16 map.
    m5, m33 = macs(five_by_five(c)), macs(two_three_by_three(c))
    m3 = macs(nn.Sequential(nn.Conv2d(c, c, 3, padding=1)))
    m13 = macs(one_by_three_then_three_by_one(c))
    assert Fraction(m33, m5) == Fraction(18, 25), (m33, m5)
    assert Fraction(m13, m3) == Fraction(6, 9), (m13, m3)

    # Without a nonlinearity, two 3x3 convolutions are one 5x5 convolution.
    conv1 = nn.Conv2d(8, 16, 3, bias=False).double().to(device)
    conv2 = nn.Conv2d(16, 12, 3, bias=False).double().to(device)
    x = torch.randn(2, 8, 20, 20, dtype=torch.float64, device=device)
    k5 = compose(conv1.weight, conv2.weight)  # (12, 8, 5, 5)
    torch.testing.assert_close(F.conv2d(x, k5), conv2(conv1(x)))

    # ...but a restricted one: 1x3 then 3x1 on one channel is a rank-1 3x3.
    row = torch.randn(1, 1, 1, 3, dtype=torch.float64, device=device)
    col = torch.randn(1, 1, 3, 1, dtype=torch.float64, device=device)
    k3 = compose(row, col)  # (1, 1, 3, 3): the outer product col x row
    x1 = torch.randn(1, 1, 9, 9, dtype=torch.float64, device=device)
    two_layers = F.conv2d(F.conv2d(x1, row), col)
    torch.testing.assert_close(F.conv2d(x1, k3), two_layers)
    rank_fact = int(torch.linalg.matrix_rank(k3[0, 0]))
    k_random = torch.randn(3, 3, dtype=torch.float64)
    rank_random = int(torch.linalg.matrix_rank(k_random))
    assert rank_fact == 1 and rank_random == 3, (rank_fact, rank_random)

    print(f"5x5 conv {c}->{c} on 16x16, multiply-adds: {m5}")
    print(f"two 3x3 convs {c}->{c}->{c}, multiply-adds: {m33}")
    print(f"cost ratio two 3x3 / 5x5: {Fraction(m33, m5)} = {m33 / m5:.2f}")
    print(f"3x3 conv {c}->{c}, multiply-adds: {m3}")
    print(f"1x3 then 3x1 convs {c}->{c}->{c}, multiply-adds: {m13}")
    print(f"cost ratio 1x3+3x1 / 3x3: {Fraction(m13, m3)} = {m13 / m3:.2f}")
    print(f"input pixels seen, two 3x3 (5x5 square): {int(rf_stack.sum())}")
    print(f"input pixels seen, 1x3 then 3x1 (3x3 square): {int(rf_asym.sum())}")
    print("two linear 3x3 convs equal one 5x5 conv (composed kernel): True")
    print(f"rank of the 3x3 kernel of 1x3 then 3x1, one channel: {rank_fact}")
    print(f"rank of a random 3x3 kernel: {rank_random}")


if __name__ == "__main__":
    main()
