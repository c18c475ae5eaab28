"""nn.ConvTranspose2d stores its weight as (C_in, C_out, k, k); copying a
Conv2d's weight across needs transpose(0, 1) and a flip.

PyTorch documentation, nn.ConvTranspose2d (weight shape (in_channels,
out_channels / groups, kH, kW)) and nn.Conv2d ((out_channels, in_channels /
groups, kH, kW)); Dumoulin & Visin 2016, Chapter 4: a stride-1 transposed
convolution is a full convolution (padding k - 1). With conv2d, a
cross-correlation, that convolution takes the kernel flipped.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:layout]
    conv = nn.Conv2d(3, 8, 3).to(device)  # 3 -> 8 channels
    conv_t = nn.ConvTranspose2d(3, 8, 3).to(device)  # also 3 -> 8 channels
    x = torch.randn(2, 3, 6, 6, device=device)
    with torch.no_grad():  # make conv do conv_t's job
        conv.weight.copy_(conv_t.weight.transpose(0, 1).flip(2, 3))
        conv.bias.copy_(conv_t.bias)
        conv.padding = (2, 2)  # k - 1: a "full" conv
    # --8<-- [end:layout]
    torch.testing.assert_close(conv(x), conv_t(x))
    assert conv.weight.shape == (8, 3, 3, 3)
    assert conv_t.weight.shape == (3, 8, 3, 3)
    print(f"nn.Conv2d(3, 8, 3).weight: {tuple(conv.weight.shape)}")
    print(f"nn.ConvTranspose2d(3, 8, 3).weight: {tuple(conv_t.weight.shape)}")
    print(
        "Conv2d with transpose(0, 1), flip(2, 3) and padding k-1 equals "
        "ConvTranspose2d: True"
    )


if __name__ == "__main__":
    main()
