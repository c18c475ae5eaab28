"""1x1 reductions in front of the 3x3 and 5x5 convolutions cut the cost of an
inception module.

Szegedy et al. 2015, "Going Deeper with Convolutions" (CVPR), Section 4 (Figure
2) and Table 1, block inception (3a): input 28x28x192, #1x1 64, #3x3 reduce 96,
#3x3 128, #5x5 reduce 16, #5x5 32, pool proj 32, output 28x28x256.
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:module]
def conv_relu(c_in: int, c_out: int, k: int) -> nn.Sequential:
    # keeps H, W
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.ReLU())


class Inception(nn.Module):
    """Four parallel branches, concatenated along channels (Figure 2b).

    reduce=False gives the same branch widths without the 1x1 reductions: the
    3x3 and 5x5 convolutions then read all c_in input channels.
    """

    def __init__(
        self, c_in, n1x1, n3x3red, n3x3, n5x5red, n5x5, pool_proj, reduce=True
    ):
        super().__init__()
        self.b1 = conv_relu(c_in, n1x1, 1)
        if reduce:
            self.b2 = nn.Sequential(
                conv_relu(c_in, n3x3red, 1), conv_relu(n3x3red, n3x3, 3)
            )
            self.b3 = nn.Sequential(
                conv_relu(c_in, n5x5red, 1), conv_relu(n5x5red, n5x5, 5)
            )
        else:
            self.b2 = conv_relu(c_in, n3x3, 3)
            self.b3 = conv_relu(c_in, n5x5, 5)
        self.b4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1), conv_relu(c_in, pool_proj, 1)
        )

    def forward(self, x):  # (N, c_in, H, W)
        branches = [self.b1(x), self.b2(x), self.b3(x), self.b4(x)]
        return torch.cat(branches, dim=1)  # (N, n1x1+n3x3+n5x5+pool_proj, H, W)


# --8<-- [end:module]


# --8<-- [start:cost]
def conv_cost(module: nn.Module, x: torch.Tensor) -> tuple[int, int]:
    """(parameters, multiply-adds per image) of every Conv2d, counted with
    forward hooks."""
    macs = []

    def hook(conv, inp, out):
        # each output value costs c_in/groups * kh * kw multiply-adds
        kh, kw = conv.kernel_size
        macs.append(out[0].numel() * conv.in_channels // conv.groups * kh * kw)

    handles = [
        m.register_forward_hook(hook)
        for m in module.modules()
        if isinstance(m, nn.Conv2d)
    ]
    module(x[:1])
    for h in handles:
        h.remove()
    return sum(p.numel() for p in module.parameters()), sum(macs)


# --8<-- [end:cost]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:run]
    sizes = dict(
        c_in=192,
        n1x1=64,
        n3x3red=96,
        n3x3=128,
        n5x5red=16,
        n5x5=32,
        pool_proj=32,
    )
    x = torch.randn(2, 192, 28, 28, device=device)  # input to inception (3a)
    with_red = Inception(**sizes).to(device)
    without = Inception(**sizes, reduce=False).to(device)
    y = with_red(x)
    p_red, m_red = conv_cost(with_red, x)
    p_full, m_full = conv_cost(without, x)
    _, m5_red = conv_cost(with_red.b3, x)  # the 5x5 branch alone
    _, m5_full = conv_cost(without.b3, x)
    # --8<-- [end:run]

    assert y.shape == (2, 256, 28, 28), y.shape
    assert without(x).shape == y.shape  # same output, different cost
    # hooks agree with the hand count: weights per output pixel x 28*28 pixels
    w_per_pixel = (
        192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32
    )
    assert m_red == w_per_pixel * 28 * 28, m_red
    assert m_full / m_red > 2.0 and m5_full / m5_red > 9.0, (
        m_full / m_red,
        m5_full / m5_red,
    )
    assert p_full / p_red > 2.0

    print(f"output shape: {tuple(y.shape)}")
    print(f"parameters with 1x1 reductions: {p_red}")
    print(f"parameters without reductions: {p_full}")
    print(f"multiply-adds with 1x1 reductions (millions): {m_red / 1e6:.1f}")
    print(f"multiply-adds without reductions (millions): {m_full / 1e6:.1f}")
    print(f"module cost ratio without / with: {m_full / m_red:.2f}")
    print(
        f"5x5 branch multiply-adds with reduction (millions): "
        f"{m5_red / 1e6:.1f}"
    )
    print(
        f"5x5 branch multiply-adds without reduction (millions): "
        f"{m5_full / 1e6:.1f}"
    )
    print(f"5x5 branch cost ratio without / with: {m5_full / m5_red:.2f}")


if __name__ == "__main__":
    main()
