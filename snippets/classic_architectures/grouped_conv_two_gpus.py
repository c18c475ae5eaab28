"""A convolution with groups=2 is AlexNet's two-GPU layer on one device: two
half-size convolutions side by side, with half the weights.

Krizhevsky, Sutskever & Hinton 2012, NIPS, section 3.2 ("the GPUs communicate
only in certain layers": conv2, conv4 and conv5 take input only from kernel maps
on the same GPU).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    conv2 = nn.Conv2d(96, 256, 5, padding=2, groups=2).to(device)
    full = nn.Conv2d(96, 256, 5, padding=2).to(device)  # no GPU split
    x = torch.randn(2, 96, 13, 13, device=device)  # (N, C, H, W)
    # --8<-- [start:groups]
    x_gpu1, x_gpu2 = x.chunk(2, dim=1)  # 48 maps each
    w_gpu1, w_gpu2 = conv2.weight.chunk(2, dim=0)  # (128, 48, 5, 5)
    b_gpu1, b_gpu2 = conv2.bias.chunk(2)
    y = torch.cat(
        [
            F.conv2d(x_gpu1, w_gpu1, b_gpu1, padding=2),
            F.conv2d(x_gpu2, w_gpu2, b_gpu2, padding=2),
        ],
        dim=1,
    )
    torch.testing.assert_close(conv2(x), y)  # same layer
    # --8<-- [end:groups]
    n_grouped = sum(p.numel() for p in conv2.parameters())
    n_full = sum(p.numel() for p in full.parameters())
    assert conv2.weight.shape == (256, 48, 5, 5)  # 5x5x48 kernels
    assert n_grouped == 256 * 48 * 25 + 256 and n_full == 256 * 96 * 25 + 256
    print("groups=2 == two half convolutions, concatenated: True")
    print(f"conv2 weight shape: {tuple(conv2.weight.shape)}")
    print(f"conv2 parameters with groups=2: {n_grouped:,}")
    print(f"conv2 parameters with groups=1: {n_full:,}")


if __name__ == "__main__":
    main()
