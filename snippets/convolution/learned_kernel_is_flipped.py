"""Cross-correlation or convolution makes no difference to a learned kernel:
trained on targets made by a true (flipped) convolution with a kernel K,
nn.Conv2d, which cross-correlates, learns K flipped.

Goodfellow, Bengio & Courville 2016, "Deep Learning", Section 9.1: libraries
implement cross-correlation and call it convolution.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

from cross_correlation import convolve  # same folder: the flipped sum

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:learn]
    k = torch.randn(3, 3, dtype=torch.float64)  # the kernel to recover
    images = torch.randn(32, 12, 12, dtype=torch.float64)
    # targets from the convolution of signal processing (kernel flipped)
    targets = torch.stack([convolve(image, k) for image in images])
    images, targets = (
        images.unsqueeze(1).to(device),
        targets.unsqueeze(1).to(device),
    )

    layer = nn.Conv2d(1, 1, 3, bias=False).double().to(device)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.5)
    for step in range(200):  # plain gradient descent on the squared error
        loss = F.mse_loss(layer(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    learned = layer.weight.detach()[0, 0].cpu()
    # --8<-- [end:learn]
    to_flipped = (learned - k.flip(0, 1)).abs().max().item()
    to_k = (learned - k).abs().max().item()
    # The claims, for every seed.
    assert to_flipped < 1e-8, "the layer learns the flipped kernel"
    assert to_k > 0.1, "and not K itself"
    assert loss.item() < 1e-20, "the targets are fitted exactly"
    print("max |learned - K flipped|: below 1e-8")
    print("max |learned - K|: above 0.1")
    print("final mean squared error: below 1e-20")


if __name__ == "__main__":
    main()
