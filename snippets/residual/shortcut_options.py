"""A block that changes the shape needs a matching shortcut: option A or B.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 3.3 (options A and B, stride 2 across feature-map sizes) and
Section 4.1, "Identity vs. Projection Shortcuts" (Table 3).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:shortcuts]
def shortcut_a(x: torch.Tensor, c_out: int) -> torch.Tensor:
    """Option A: subsample with stride 2, pad the new channels with zeros."""
    x = x[:, :, ::2, ::2]  # (N, C_in, H/2, W/2)
    return F.pad(x, (0, 0, 0, 0, 0, c_out - x.shape[1]))  # (N, C_out, ...)


def shortcut_b(c_in: int, c_out: int) -> nn.Module:
    """Option B: a learned 1x1 convolution with stride 2, then BN."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 1, stride=2, bias=False), nn.BatchNorm2d(c_out)
    )


# --8<-- [end:shortcuts]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(8, 16, 8, 8, device=device)  # (N, C, H, W)
    # --8<-- [start:check]
    f = nn.Sequential(  # a residual branch
        nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1, bias=False),
        nn.BatchNorm2d(32),
    ).to(device)
    fx = f(x)  # (8, 32, 4, 4)
    a = shortcut_a(x, 32)
    proj = shortcut_b(16, 32).to(device)
    b = proj(x)
    n_b = sum(p.numel() for p in proj.parameters())
    print(f"x: {tuple(x.shape)}, F(x): {tuple(fx.shape)}")
    print(f"option A shortcut: {tuple(a.shape)}, parameters: 0")
    print(f"option B shortcut: {tuple(b.shape)}, parameters: {n_b}")
    # --8<-- [end:check]
    assert a.shape == b.shape == fx.shape, (a.shape, b.shape, fx.shape)
    assert n_b == 16 * 32 + 2 * 32  # 1x1 weights + BN gamma, beta
    torch.testing.assert_close(a[:, :16], x[:, :, ::2, ::2])  # identity part
    assert torch.equal(a[:, 16:], torch.zeros_like(a[:, 16:]))  # zero part
    print("option A: x subsampled on channels 0-15, zeros on 16-31: True")


if __name__ == "__main__":
    main()
