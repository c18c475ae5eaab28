"""In eval() a BatchNorm2d after a convolution is an affine map per channel, so
it folds into the convolution's weights and bias.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Section 3.1: at inference
"the normalization is simply a linear transform applied to each activation";
PyTorch documentation, torch.nn.BatchNorm2d.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:fold]
def fold(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # (C_out,)
    fused = nn.Conv2d(
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,
        conv.stride,
        conv.padding,
        bias=True,
    ).to(conv.weight)  # same dtype, device
    bias = conv.bias if conv.bias is not None else torch.zeros_like(scale)
    with torch.no_grad():
        fused.weight.copy_(conv.weight * scale[:, None, None, None])
        fused.bias.copy_((bias - bn.running_mean) * scale + bn.bias)
    return fused


# --8<-- [end:fold]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
    bn = nn.BatchNorm2d(8)
    with torch.no_grad():  # "trained" values
        bn.weight.uniform_(0.5, 2.0)
        bn.bias.normal_()
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 3.0)
    net = nn.Sequential(conv, bn).double().to(device).eval()
    # --8<-- [start:check]
    fused = fold(conv, bn)
    x = torch.randn(4, 3, 10, 10, device=device, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(fused(x), net(x))  # one conv, same output
    # --8<-- [end:check]
    layers = sum(1 for _ in net), 1
    print("eval() conv + BN == one folded conv: True")
    print(f"layers before and after folding: {layers[0]} -> {layers[1]}")


if __name__ == "__main__":
    main()
