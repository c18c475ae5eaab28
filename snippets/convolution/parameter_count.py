"""A k x k conv layer has C_out (C_in/g k^2 + 1) parameters and H' W' C_out
C_in/g k^2 multiply-adds: the formula matches nn.Conv2d and a counted forward
pass.

CS231n notes "Convolutional Neural Networks" (Convolutional Layer, Summary: F F
D_1 weights per filter, K biases); Goodfellow et al. 2016, "Deep Learning",
Section 9.2 (parameter sharing).
"""

import itertools
import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:formula]
def conv_params(c_in, c_out, k, groups=1, bias=True):
    return c_out * (c_in // groups) * k * k + (c_out if bias else 0)


def conv_macs(c_in, c_out, k, h_out, w_out, groups=1):
    """One multiply-add per weight, per output position (bias not counted)."""
    return h_out * w_out * c_out * (c_in // groups) * k * k


# --8<-- [end:formula]


def counted_macs(conv: nn.Conv2d, h: int, w: int) -> int:
    """Count the products a forward pass makes: with all-ones weights and an
    all-ones (padded) input every product is 1, so the output sums to them."""
    p, device = conv.padding[0], conv.weight.device
    x = torch.ones(1, conv.in_channels, h, w, device=device)
    x = F.pad(x, (p, p, p, p), value=1.0)  # count the padded positions too
    ones = torch.ones_like(conv.weight)
    y = F.conv2d(x, ones, None, conv.stride, 0, conv.dilation, conv.groups)
    return int(y.sum().item()), y.shape[-2:]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    checked = 0
    for c_in, c_out, k, groups, s, p in itertools.product(
        [4, 8], [8, 16], [1, 3, 5], [1, 2, 4], [1, 2], [0, 1]
    ):
        conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=p, groups=groups).to(
            device
        )
        n_params = sum(t.numel() for t in conv.parameters())
        assert n_params == conv_params(c_in, c_out, k, groups)
        macs, (h_out, w_out) = counted_macs(conv, 12, 12)
        assert macs == conv_macs(c_in, c_out, k, h_out, w_out, groups)
        checked += 1
    # --8<-- [start:example]
    conv = nn.Conv2d(64, 128, kernel_size=3, padding=1)  # 32x32 -> 32x32
    counted = sum(t.numel() for t in conv.parameters())
    formula = conv_params(64, 128, 3)
    no_channels = 128 * 3 * 3 + 128  # forgets that a filter is 3x3x64
    # --8<-- [end:example]
    assert counted == formula != no_channels
    print(f"settings checked (params and multiply-adds): {checked}")
    print(f"Conv2d(64, 128, 3) parameters, counted: {counted}")
    print(f"Conv2d(64, 128, 3) parameters, formula: {formula}")
    print(f"wrong count that forgets C_in: {no_channels}")
    print(f"multiply-adds on a 32x32 map: {conv_macs(64, 128, 3, 32, 32)}")


if __name__ == "__main__":
    main()
