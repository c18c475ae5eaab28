"""A basic block from scratch: zero gamma in its last BN makes it the identity.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 3.2 (y = F(x) + x, Eq. 1; projection W_s x, Eq. 2) and
Section 3.4 (BN after each convolution, before the activation). Zero gamma:
Goyal et al. 2017, "Accurate, Large Minibatch SGD", Section 5.1.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:block]
class BasicBlock(nn.Module):
    """relu(F(x) + shortcut(x)), F = conv-BN-ReLU-conv-BN (two 3x3 convs)."""

    def __init__(
        self, c_in: int, c_out: int, stride: int = 1, zero_gamma: bool = False
    ):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        if zero_gamma:
            nn.init.zeros_(self.bn2.weight)  # F(x) = beta = 0 at init
        self.shortcut = nn.Identity()  # identity where shapes match
        if stride != 1 or c_in != c_out:  # else a projection (option B)
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                nn.BatchNorm2d(c_out),
            )

    def forward(self, x):  # (N, C_in, H, W)
        out = F.relu(self.bn1(self.conv1(x)))  # (N, C_out, H/s, W/s)
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))  # ReLU after the add


# --8<-- [end:block]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = F.relu(torch.randn(8, 16, 8, 8, device=device))  # a ReLU's output
    # --8<-- [start:check]
    same = BasicBlock(16, 16).to(device)
    down = BasicBlock(16, 32, stride=2).to(device)
    print(f"BasicBlock(16, 16): {tuple(x.shape)} -> {tuple(same(x).shape)}")
    print(
        f"BasicBlock(16, 32, stride=2): {tuple(x.shape)} -> "
        f"{tuple(down(x).shape)}"
    )
    zero = BasicBlock(16, 16, zero_gamma=True).to(device)
    print(f"zero gamma, train mode: block(x) == x: {torch.equal(zero(x), x)}")
    zero.eval()
    print(f"zero gamma, eval mode: block(x) == x: {torch.equal(zero(x), x)}")
    one = BasicBlock(16, 16).to(device)  # gamma = 1 (default)
    gap = (one(x) - x).abs().max().item()
    print(f"gamma = 1: max |block(x) - x|: {gap:.2f}")
    # --8<-- [end:check]
    assert same(x).shape == x.shape
    assert down(x).shape == (8, 32, 4, 4)
    assert isinstance(same.shortcut, nn.Identity)
    assert not isinstance(down.shortcut, nn.Identity)
    assert torch.equal(zero(x), x)  # exactly the identity
    assert gap > 0.5  # far from it otherwise
    x_neg = torch.randn(8, 16, 8, 8, device=device)  # with negative inputs
    assert torch.equal(zero(x_neg), F.relu(x_neg))  # ReLU after the add


if __name__ == "__main__":
    main()
