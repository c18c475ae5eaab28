"""SmoothGrad: the absolute gradient map averaged over noisy copies of the
image is smoother than the plain gradient map, pixel to pixel, and puts less
of its mass on the object.

Smilkov, Thorat, Kim, Viégas & Wattenberg 2017, "SmoothGrad: removing noise
by adding noise", arXiv:1706.03825 (the sensitivity map averaged over n copies
of the image with Gaussian noise added; noise of 10-20% of the input's range;
little visible change beyond n = 50). The paper averages the signed gradient
and takes absolute values for display; this snippet averages absolute maps,
as Captum's NoiseTunnel does around Saliency (abs=True by default).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

from gradient_saliency import saliency
from model import box_scores, overlay, test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:smoothgrad]
def smoothgrad(model, x, target, samples: int = 50, sigma: float = 0.15):
    """The |gradient| map averaged over copies of x with N(0, sigma^2) noise.

    The images lie in [0, 1], so sigma = 0.15 is 15% of their range."""
    total = torch.zeros_like(x[:, 0])
    for _ in range(samples):
        total += saliency(model, x + sigma * torch.randn_like(x), target)
    return total / samples


def speckle(maps: torch.Tensor) -> float:
    """Mean jump between neighbouring pixels, relative to the mean value
    (both summed over the images): 0 for flat maps, large for maps that
    flip from pixel to pixel."""
    down = (maps[:, 1:, :] - maps[:, :-1, :]).abs().mean((1, 2))
    right = (maps[:, :, 1:] - maps[:, :, :-1]).abs().mean((1, 2))
    return ((down + right).sum() / 2 / maps.mean((1, 2)).sum()).item()


# --8<-- [end:smoothgrad]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, boxes = test_data(200)
    x, y = x.to(device), y.to(device)
    torch.manual_seed(SEED + 1)  # the noise
    plain = saliency(model, x, y).cpu()
    no_noise = smoothgrad(model, x, y, samples=1, sigma=0.0).cpu()
    torch.testing.assert_close(no_noise, plain)  # sigma 0: the gradient
    low = smoothgrad(model, x, y, sigma=0.05).cpu()
    high = smoothgrad(model, x, y, sigma=0.15).cpu()
    rough = {
        name: speckle(m)
        for name, m in [("0", plain), ("0.05", low), ("0.15", high)]
    }
    mass = {
        name: box_scores(m, boxes)["mass"]
        for name, m in [("0", plain), ("0.15", high)]
    }
    assert rough["0"] > rough["0.05"] > rough["0.15"], (
        f"more noise, smoother maps: {rough}"
    )
    assert rough["0.15"] < 0.75 * rough["0"], (
        f"at sigma 0.15 the jumps between pixels shrink by a quarter: {rough}"
    )
    assert mass["0.15"] < mass["0"], (
        f"at sigma 0.15 the map puts less of its mass in the box: {mass}"
    )
    chance = box_scores(plain, boxes)["chance"]
    print(f"test images: {len(x)}, noisy copies per image: 50")
    print(f"speckle, gradient: {rough['0']:.2f} ±0.1")
    print(f"speckle, SmoothGrad sigma 0.05: {rough['0.05']:.2f} ±0.15")
    print(f"speckle, SmoothGrad sigma 0.15: {rough['0.15']:.2f} ±0.2")
    print(f"mass inside the box, gradient: {mass['0']:.2f} ±0.15")
    print("mass inside the box, SmoothGrad sigma 0.15: below the gradient's")
    print(f"chance (box area / image area): {chance:.3f} ±0.02")
    rows = {"gradient": plain, "sigma 0.05": low, "sigma 0.15": high}
    overlay(x[:6].cpu(), None, boxes[:6], [""] * 6, "smoothgrad.png", rows=rows)


if __name__ == "__main__":
    main()
