"""Without a non-linearity between them (Xception), a depthwise and a pointwise
convolution are one 3x3 convolution with a factored kernel; with BN and ReLU
between them (MobileNet) they are not. On the digits both variants learn.

Chollet 2017, "Xception: Deep Learning with Depthwise Separable Convolutions",
CVPR, Section 4.7 (no intermediate activation trained faster and generalized
better than ReLU or ELU on ImageNet); Howard et al. 2017, "MobileNets",
Section 3.1, Fig. 3 (BN and ReLU after the depthwise and the pointwise layer).
"""

import os

import torch
from torch import nn

from digits_tradeoff import conv_bn, load_split, train_and_test  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TOL = 0.03  # largest change of one variant's accuracy over seeds 1..4


# --8<-- [start:variants]
def separable(c_in: int, c_out: int, between: bool) -> list[nn.Module]:
    """3x3 depthwise, then 1x1 pointwise. `between`: BN and ReLU in the
    middle (MobileNet); otherwise nothing (Xception, Keras SeparableConv2D)."""
    middle = [nn.BatchNorm2d(c_in), nn.ReLU()] if between else []
    return [
        nn.Conv2d(c_in, c_in, 3, padding=1, groups=c_in, bias=False),
        *middle,
        nn.Conv2d(c_in, c_out, 1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    ]


def factored_kernel(depthwise: nn.Conv2d, pointwise: nn.Conv2d):
    """K[o, i] = P[o, i] * D[i]: the one 3x3 kernel the pair computes."""
    d = depthwise.weight[:, 0]  # (C_in, 3, 3)
    p = pointwise.weight[:, :, 0, 0]  # (C_out, C_in)
    return p[:, :, None, None] * d[None]  # (C_out, C_in, 3, 3)


# --8<-- [end:variants]


def make_cnn(between: bool) -> nn.Sequential:
    return nn.Sequential(  # (N, 1, 8, 8), as digits_tradeoff.py
        *conv_bn(1, 8, 3),
        *separable(8, 16, between),
        nn.MaxPool2d(2),
        *separable(16, 32, between),
        nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(4, 16, 8, 8, device=device)  # has negative values
    # --8<-- [start:check]
    pair = {}
    for between in (False, True):
        layers = nn.Sequential(*separable(16, 32, between)).to(device).eval()
        convs = [i for i, m in enumerate(layers) if isinstance(m, nn.Conv2d)]
        dw, pw = layers[convs[0]], layers[convs[1]]
        one_conv = nn.functional.conv2d(x, factored_kernel(dw, pw), padding=1)
        two_steps = layers[: convs[1] + 1](x)  # up to the pointwise conv
        pair[between] = torch.allclose(two_steps, one_conv, atol=1e-5)
    assert pair[False], "without a non-linearity the pair is one 3x3 conv"
    assert not pair[True], "with BN and ReLU between, it is not"
    # --8<-- [end:check]
    data = load_split(device)
    accuracy = {}
    for between in (False, True):
        torch.manual_seed(SEED)  # same initialization and data order
        accuracy[between] = train_and_test(make_cnn(between).to(device), *data)
    assert min(accuracy.values()) > 0.9, f"both variants learn {accuracy}"
    print(f"no activation between: equals one factored 3x3 conv: {pair[False]}")
    print(f"BN and ReLU between: equals one factored 3x3 conv: {pair[True]}")
    for between, name in [(False, "nothing"), (True, "BN and ReLU")]:
        print(f"test accuracy, {name} between: {accuracy[between]:.3f} ±{TOL}")


if __name__ == "__main__":
    main()
