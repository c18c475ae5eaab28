"""Depthwise conv from scratch (unfold) matches nn.Conv2d(C, C, k, groups=C).

Howard et al. 2017, "MobileNets: Efficient Convolutional Neural Networks for
Mobile Vision Applications", arXiv 1704.04861, Section 3.1 (depthwise
convolution: a single filter per input channel).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
def depthwise_conv2d(x, weight, bias=None, stride=1, padding=0):
    """x (N, C, H, W), weight (C, 1, k, k): channel c sees only kernel c."""
    n, c, h, w = x.shape
    k = weight.shape[-1]
    cols = F.unfold(x, k, padding=padding, stride=stride)  # (N, C*k*k, L)
    cols = cols.view(n, c, k * k, -1)  # (N, C, k*k, L)
    out = torch.einsum("nckl,ck->ncl", cols, weight.view(c, k * k))
    if bias is not None:
        out = out + bias[:, None]  # (N, C, L)
    h_out = (h + 2 * padding - k) // stride + 1
    return out.view(n, c, h_out, -1)  # (N, C, H', W')


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    C = 12
    for k, stride, padding in [(3, 1, 1), (3, 2, 1), (5, 1, 2)]:
        ref = nn.Conv2d(C, C, k, stride, padding, groups=C).to(device).double()
        x = torch.randn(
            4, C, 15, 15, device=device, dtype=torch.float64, requires_grad=True
        )  # float64: exact sums
        ours = depthwise_conv2d(x, ref.weight, ref.bias, stride, padding)
        theirs = ref(x)
        torch.testing.assert_close(ours, theirs)  # same output
        g_ours = torch.autograd.grad(ours.square().sum(), (x, ref.weight))
        g_ref = torch.autograd.grad(theirs.square().sum(), (x, ref.weight))
        for a, b in zip(g_ours, g_ref):
            torch.testing.assert_close(a, b)  # same gradients
    # --8<-- [end:check]
    print("from-scratch depthwise conv matches nn.Conv2d(groups=C): True")
    print("input and weight gradients match: True")
    dw = nn.Conv2d(C, C, 3, padding=1, groups=C, bias=False)
    full = nn.Conv2d(C, C, 3, padding=1, bias=False)
    assert dw.weight.numel() * C == full.weight.numel()
    print(f"depthwise weight shape: {tuple(dw.weight.shape)}")
    print(f"depthwise weights (C=12, 3x3): {dw.weight.numel()}")
    print(f"standard weights (C=12 -> 12, 3x3): {full.weight.numel()}")


if __name__ == "__main__":
    main()
