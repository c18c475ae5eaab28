"""The effective receptive field of a randomly initialized conv stack is roughly
Gaussian and much smaller than its theoretical receptive field, and the gap
widens with depth.

Luo, Li, Urtasun & Zemel 2016, "Understanding the Effective Receptive Field in
Deep Convolutional Neural Networks", NeurIPS (arXiv 1701.04128): the ERF is the
gradient of a centre output unit with respect to the input; it is Gaussian-like
and its size grows as sqrt(n) with n layers while the theoretical receptive
field grows as n.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
SIZE, DEPTHS, INITS = 49, (5, 10, 20), 6


def conv_stack(depth: int, channels: int = 8) -> nn.Sequential:
    layers, c = [], 1
    for _ in range(depth):  # 3x3, stride 1: RF = 2n + 1
        layers += [nn.Conv2d(c, channels, 3, padding=1), nn.ReLU()]
        c = channels
    return nn.Sequential(*layers)


# --8<-- [start:erf]
def erf_map(depth: int, device: str) -> torch.Tensor:
    """|d centre output / d input|, averaged over random inits and inputs."""
    total = torch.zeros(SIZE, SIZE, device=device)
    for _ in range(INITS):
        net = conv_stack(depth).to(device)  # a fresh random init
        x = torch.randn(8, 1, SIZE, SIZE, device=device, requires_grad=True)
        out = net(x)  # (8, C, SIZE, SIZE)
        out[:, :, SIZE // 2, SIZE // 2].sum().backward()
        total += x.grad.abs().sum((0, 1))  # (SIZE, SIZE)
    return total / total.sum()  # a distribution over pixels


# --8<-- [end:erf]


def spread(m: np.ndarray) -> float:
    """Standard deviation (pixels) of the map's row marginal."""
    p = m.sum(1)
    pos = np.arange(len(p)) - len(p) // 2
    return float(np.sqrt((p * pos**2).sum()))


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    maps = {n: erf_map(n, device).cpu().numpy() for n in DEPTHS}
    fig, axes = plt.subplots(1, 4, figsize=(11, 2.8))
    sigmas = []
    for ax, n in zip(axes, DEPTHS):
        rf, sigma = 2 * n + 1, spread(maps[n])
        sigmas.append(sigma)
        half = rf // 2
        c = SIZE // 2
        outside = maps[n].copy()
        outside[c - half : c + half + 1, c - half : c + half + 1] = 0
        assert outside.sum() == 0  # nothing outside the theory
        assert 2 * sigma < half, (sigma, half)  # most mass well inside it
        ax.imshow(maps[n], cmap="magma")
        ax.add_patch(
            plt.Rectangle(
                (c - half - 0.5, c - half - 0.5),
                rf,
                rf,
                fill=False,
                ec="cyan",
                lw=1,
            )
        )
        ax.set_title(f"{n} layers, RF {rf}", fontsize=9)
        ax.axis("off")
        tol = 0.3 if n == 20 else 0.1  # measured over seeds 0..4
        print(
            f"{n} layers: theoretical RF {rf} px, ERF std "
            f"{sigma:.1f} px ±{tol}, std / RF {sigma / rf:.2f} ±0.01"
        )
    # the ERF grows like sqrt(n): std / sqrt(n) is about constant
    ratios = [s / np.sqrt(n) for s, n in zip(sigmas, DEPTHS)]
    assert max(ratios) / min(ratios) < 1.3, ratios
    assert sigmas[0] / 5 > sigmas[2] / 20  # relative size shrinks
    # --8<-- [start:gauss]
    profile = maps[20].sum(1)  # row marginal, 20 layers
    pos = np.arange(SIZE) - SIZE // 2
    gauss = np.exp(-(pos**2) / (2 * sigmas[2] ** 2))
    gauss /= gauss.sum()  # same mass, same std
    residual = ((profile - gauss) ** 2).sum()
    r2 = 1 - residual / ((profile - profile.mean()) ** 2).sum()  # fit quality
    # --8<-- [end:gauss]
    assert r2 > 0.9, r2
    ax = axes[3]
    ax.plot(pos, profile, "o", ms=3, label="ERF, 20 layers")
    ax.plot(pos, gauss, "-", label="Gaussian, same std")
    ax.axvspan(-20, 20, color="cyan", alpha=0.15, label="theoretical RF")
    ax.set_xlabel("row offset (pixels)", fontsize=8)
    ax.legend(fontsize=7)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig("effective_receptive_field.png", dpi=100, bbox_inches="tight")
    print(f"ERF std, 20 layers / 5 layers: {sigmas[2] / sigmas[0]:.2f} ±0.2")
    print(f"theoretical RF, 20 layers / 5 layers: {41 / 11:.2f}")
    print(f"sqrt(20 / 5): {np.sqrt(20 / 5):.2f}")
    print(f"R^2 of a Gaussian fit to the 20-layer profile: {r2:.3f} ±0.04")


if __name__ == "__main__":
    main()
