"""A multi-channel convolution is a sum over input channels of single-channel
cross-correlations, plus a bias per output channel.

CS231n notes "Convolutional Neural Networks" (Convolutional Layer): each filter
extends through the full depth of the input volume; Dumoulin & Visin 2016 (arXiv
1603.07285), Section 1.1.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:sum]
def conv2d_by_channels(x, weight, bias):
    """x (C_in, H, W), weight (C_out, C_in, k, k), bias (C_out,)."""
    outs = []
    for w_o, b_o in zip(weight, bias):  # one filter per output
        per_channel = [
            F.conv2d(x_c[None, None], w_oc[None, None])[0, 0]
            for x_c, w_oc in zip(x, w_o)
        ]  # 2-D maps
        outs.append(torch.stack(per_channel).sum(0) + b_o)  # sum over C_in
    return torch.stack(outs)  # (C_out, H', W')


# --8<-- [end:sum]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    conv = nn.Conv2d(3, 4, kernel_size=3).to(device)  # 3 in, 4 out
    x = torch.randn(3, 8, 8, device=device)  # one RGB-like image
    with torch.no_grad():
        mine = conv2d_by_channels(x, conv.weight, conv.bias)
        ref = conv(x[None])[0]
    torch.testing.assert_close(mine, ref)
    print(f"input (C_in, H, W): {tuple(x.shape)}")
    print(f"weight (C_out, C_in, k, k): {tuple(conv.weight.shape)}")
    print(f"output (C_out, H', W'): {tuple(mine.shape)}")
    print("sum over input channels == nn.Conv2d: True")


if __name__ == "__main__":
    main()
