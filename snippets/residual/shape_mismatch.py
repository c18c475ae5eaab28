"""x + F(x) fails when F changes the channels or the size; a 1x1 projection
fixes both.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 3.2 (Eq. 2, y = F(x) + W_s x to match dimensions) and
Section 3.3 (a stride of 2 when a shortcut crosses feature-map sizes).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(8, 16, 8, 8, device=device)  # (N, C, H, W)
    # --8<-- [start:mismatch]
    cases = {"more channels": (32, 1), "stride 2": (16, 2)}
    for name, (c_out, stride) in cases.items():
        f = nn.Conv2d(16, c_out, 3, stride, padding=1).to(device)
        try:
            x + f(x)
        except RuntimeError as error:
            print(f"{name}: x + F(x) raises: {error}")
        w_s = nn.Conv2d(16, c_out, 1, stride, bias=False).to(device)
        y = f(x) + w_s(x)  # Eq. 2
        print(f"{name}: F(x) + W_s x has shape {tuple(y.shape)}")
        # --8<-- [end:mismatch]
        assert y.shape == f(x).shape
        assert y.shape != x.shape


if __name__ == "__main__":
    main()
