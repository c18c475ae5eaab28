"""AlexNet's overlapping pooling (3x3 windows, stride 2) gives the same map
sizes as 2x2 windows with stride 2, but each input pixel can fall in up to
four windows instead of one, and a unit after pool5 sees a wider window of
the image.

Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS, section 3.4 (s = 2, z = 3; top-1 and
top-5 error 0.4% and 0.3% lower than s = z = 2) and section 3.5 (the layers).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
OVERLAPPING, NON_OVERLAPPING = (3, 2), (2, 2)  # (window z, stride s)


# --8<-- [start:windows]
def windows_per_pixel(z: int, s: int, size: int = 13) -> torch.Tensor:
    """How many pooling windows each pixel of a size x size map falls in."""
    ones = torch.ones(1, 1, size, size)
    cols = F.unfold(ones, z, stride=s)  # one column per window
    return F.fold(cols, size, z, stride=s)[0, 0]  # (size, size) counts


# --8<-- [end:windows]


# --8<-- [start:alexnet]
POOL = (
    None  # AlexNet's layers (section 3.5): (kernel, stride, padding) or a pool
)
LAYERS = [
    (11, 4, 0),
    POOL,
    (5, 1, 2),
    POOL,
    (3, 1, 1),
    (3, 1, 1),
    (3, 1, 1),
    POOL,
]


def alexnet_1ch(z: int, s: int) -> nn.Sequential:
    """The layers with one channel and all-ones kernels (no gradient is 0 by
    chance). Average pooling has the windows of max pooling but sends a
    gradient to every pixel of its window, so the gradient marks the field."""
    return nn.Sequential(
        *(
            nn.AvgPool2d(z, s)
            if spec is POOL
            else nn.Conv2d(1, 1, *spec, bias=False).requires_grad_(False)
            for spec in LAYERS
        )
    ).apply(lambda m: nn.init.ones_(m.weight) if hasattr(m, "weight") else None)


def receptive_field(net: nn.Module, size: int, device: str) -> int:
    x = torch.rand(1, 1, size, size, device=device, requires_grad=True)
    y = net(x)  # (1, 1, h, w)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    return (x.grad[0, 0] > 0).any(0).sum().item()  # columns reached


def rf_formula(z: int, s: int) -> int:
    r, j = 1, 1  # field and jump (product of the strides so far)
    for k, stride in [(z, s) if spec is POOL else spec[:2] for spec in LAYERS]:
        r, j = r + (k - 1) * j, j * stride
    return r


# --8<-- [end:alexnet]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    sizes, most, rf = {}, {}, {}
    for z, s in (OVERLAPPING, NON_OVERLAPPING):
        # pool1, pool2 and pool5 act on 55x55, 27x27 and 13x13 maps
        sizes[z, s] = [
            nn.MaxPool2d(z, s)(torch.zeros(1, 1, n, n, device=device)).shape[-1]
            for n in (55, 27, 13)
        ]
        most[z, s] = int(windows_per_pixel(z, s).max())
        net = alexnet_1ch(z, s).to(device)
        rf[z, s] = receptive_field(net, 323, device)  # no border clips it
        assert rf[z, s] == rf_formula(z, s), (
            f"the measured field matches the formula: {rf}"
        )
        x = torch.zeros(1, 1, 227, 227, device=device)
        assert net(x).shape[-1] == 6  # pool5's 6x6 maps either way
    assert sizes[OVERLAPPING] == sizes[NON_OVERLAPPING] == [27, 13, 6], (
        f"both poolings give the same map sizes: {sizes}"
    )
    assert most[OVERLAPPING] == 4 and most[NON_OVERLAPPING] == 1, (
        f"a pixel falls in up to 4 overlapping windows, in 1 otherwise: {most}"
    )
    assert rf[OVERLAPPING] > rf[NON_OVERLAPPING], rf
    for z, s in (OVERLAPPING, NON_OVERLAPPING):
        tag = f"window {z}, stride {s}"
        print(f"pooled map sizes in AlexNet, {tag}: {sizes[z, s]}")
        print(f"most windows one pixel falls in, {tag}: {most[z, s]}")
        print(f"receptive field after pool5, {tag} (pixels): {rf[z, s]}")


if __name__ == "__main__":
    main()
