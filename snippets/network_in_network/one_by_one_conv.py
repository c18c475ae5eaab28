"""A 1x1 convolution is one linear layer applied to the channel vector at every
pixel.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.1: the mlpconv
layer is a small MLP slid over the image, which is a KxK convolution followed by
1x1 convolutions.
"""

import os
import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:scratch]
def conv1x1(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    """x: (N, C_in, H, W), weight: (C_out, C_in), bias: (C_out,)
    -> (N, C_out, H, W)."""
    n, c, h, w = x.shape
    # one row per pixel: (N*H*W, C_in)
    pixels = x.permute(0, 2, 3, 1).reshape(n * h * w, c)
    # the same linear layer for every pixel
    out = F.linear(pixels, weight, bias)
    # back to (N, C_out, H, W)
    return out.reshape(n, h, w, -1).permute(0, 3, 1, 2)


# --8<-- [end:scratch]


# --8<-- [start:mlpconv]
def mlpconv(
    c_in: int, c_mid: int, c_out: int, kernel: int, padding: int = 0
) -> nn.Sequential:
    """NiN's mlpconv block: a KxK conv, then two 1x1 convs (a 3-layer MLP at
    every window)."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_mid, kernel, padding=padding),
        nn.ReLU(),
        nn.Conv2d(c_mid, c_mid, kernel_size=1),
        nn.ReLU(),  # mixes channels, never space
        nn.Conv2d(c_mid, c_out, kernel_size=1),
        nn.ReLU(),
    )


# --8<-- [end:mlpconv]


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 16, 7, 7, device=device)  # (N, C_in, H, W)

    conv = nn.Conv2d(16, 8, kernel_size=1).to(device)  # weight: (8, 16, 1, 1)
    ours = conv1x1(x, conv.weight[:, :, 0, 0], conv.bias)
    # 1x1 conv == per-pixel linear layer
    torch.testing.assert_close(ours, conv(x))

    # the same weights in an nn.Linear give the same numbers pixel by pixel
    lin = nn.Linear(16, 8).to(device)
    with torch.no_grad():
        lin.weight.copy_(conv.weight[:, :, 0, 0])
        lin.bias.copy_(conv.bias)
    torch.testing.assert_close(lin(x[0, :, 3, 4]), conv(x)[0, :, 3, 4])

    block = mlpconv(16, 32, 8, kernel=3, padding=1).to(device)
    y = block(x)
    assert y.shape == (2, 8, 7, 7), y.shape  # 1x1 layers keep H and W
    n_params = sum(p.numel() for p in block.parameters())
    assert n_params == (16 * 9 * 32 + 32) + (32 * 32 + 32) + (32 * 8 + 8), (
        n_params
    )

    # reached only if assert_close passed
    print("conv1x1 from scratch matches nn.Conv2d(kernel_size=1): True")
    print(f"mlpconv output shape: {tuple(y.shape)}")
    print(f"mlpconv parameters: {n_params}")


if __name__ == "__main__":
    main()
