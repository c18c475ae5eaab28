"""Global average pooling replaces the fully connected classifier with no
parameters at all.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2: the last mlpconv
layer emits one feature map per class, each map is averaged to one number, and
the vector goes straight to softmax.
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:heads]
def gap(x: torch.Tensor) -> torch.Tensor:
    return x.mean(dim=(2, 3))  # (N, C, H, W) -> (N, C)


def fc_head(channels: int, size: int, classes: int) -> nn.Module:
    # classic head: flatten every position of every map into one dense layer
    return nn.Sequential(
        nn.Flatten(), nn.Linear(channels * size * size, classes)
    )


def gap_head(channels: int, classes: int) -> nn.Module:
    # NiN head: a 1x1 conv gives one map per class, then global average pooling
    return nn.Sequential(
        nn.Conv2d(channels, classes, kernel_size=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )


# --8<-- [end:heads]


def count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # an example feature map at the end of a CIFAR-sized network:
    # 192 maps of 8x8, 10 classes
    channels, size, classes = 192, 8, 10
    x = torch.randn(4, channels, size, size, device=device)

    torch.testing.assert_close(
        gap(x), nn.AdaptiveAvgPool2d(1).to(device)(x).flatten(1)
    )

    fc, nin = (
        fc_head(channels, size, classes).to(device),
        gap_head(channels, classes).to(device),
    )
    assert fc(x).shape == nin(x).shape == (4, classes)
    # the two heads differ by the number of spatial positions (64x) in their
    # weight count
    assert count(fc) - classes == size * size * (count(nin) - classes)

    # GAP is translation-friendly: shifting the maps (circularly) leaves the
    # pooled vector unchanged
    torch.testing.assert_close(
        gap(torch.roll(x, shifts=(3, 2), dims=(2, 3))), gap(x)
    )

    print(f"fully connected head parameters: {count(fc)}")
    print(f"1x1 conv + GAP head parameters: {count(nin)}")
    print(f"GAP layer parameters: {count(nn.AdaptiveAvgPool2d(1))}")
    print(f"ratio fc / gap head: {count(fc) / count(nin):.1f}")


if __name__ == "__main__":
    main()
