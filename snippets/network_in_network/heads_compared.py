"""Classifier heads side by side: flatten+FC has 64x the parameters of GAP heads
and breaks on another input size.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2 (global average
pooling: no parameters, one map per class); Szegedy et al. 2015 (GoogLeNet),
Section 5 (average pooling followed by one linear layer); He et al. 2016
(ResNet) keep the same GAP + FC head.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:heads]
def heads(channels: int = 192, size: int = 8, classes: int = 10):
    return {
        "flatten + Linear": nn.Sequential(
            nn.Flatten(), nn.Linear(channels * size * size, classes)
        ),
        "AdaptiveAvgPool2d(1) + Linear (GoogLeNet, ResNet)": nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes)
        ),
        "1x1 conv + mean over H, W (NiN)": nn.Sequential(
            nn.Conv2d(channels, classes, 1),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        ),
    }


# --8<-- [end:heads]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x8 = torch.randn(2, 192, 8, 8, device=device)  # (N, C, H, W)
    x12 = torch.randn(2, 192, 12, 12, device=device)  # another size
    rows = []
    for name, head in heads().items():
        head = head.to(device)
        params = sum(p.numel() for p in head.parameters())
        assert head(x8).shape == (2, 10)
        try:
            head(x12)
            any_size = "yes"
        except RuntimeError:  # shape mismatch
            any_size = "no"
        shifted = head(torch.roll(x8, shifts=(3, 5), dims=(2, 3)))
        invariant = torch.allclose(shifted, head(x8), atol=1e-5)
        rows.append((name, params, any_size, invariant))
    # the two pooling routes agree: AdaptiveAvgPool2d(1) is a mean over H, W
    torch.testing.assert_close(
        nn.AdaptiveAvgPool2d(1)(x8).flatten(1), x8.mean(dim=(2, 3))
    )
    assert [r[2] for r in rows] == ["no", "yes", "yes"]
    assert [r[3] for r in rows] == [False, True, True]
    print("input: 192 maps of 8x8, 10 classes")
    print(
        "| head | parameters | accepts 12x12 maps | same output "
        "for a shifted map |"
    )
    print("|---|---|---|---|")
    for name, params, any_size, invariant in rows:
        print(f"| {name} | {params} | {any_size} | {invariant} |")
    ratio = rows[0][1] / rows[1][1]
    print(f"parameter ratio flatten / GAP + Linear: {ratio:.1f}")


if __name__ == "__main__":
    main()
