"""Training smooths the first-layer filters; conv3 maps sit on the object.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
ECCV, Section 4 (first-layer filters and feature maps); Olah, Mordvintsev &
Schubert 2017, "Feature Visualization", Distill (what a unit responds to).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from model import CLASSES, ShapeCNN, box_scores, test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def smoothness_each(w):
    """Correlation of neighbouring weights in each filter (K,): about 0 for
    noise (-1/30 on average: subtracting the filter's mean)."""
    w = w[:, 0] - w[:, 0].mean((1, 2), keepdim=True)  # (K, 5, 5)
    across = (w[:, :, 1:] * w[:, :, :-1]).sum((1, 2))
    down = (w[:, 1:, :] * w[:, :-1, :]).sum((1, 2))
    return (across + down) / 2 / (w**2).sum((1, 2))


def smoothness(w):
    return smoothness_each(w).mean().item()


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(SEED)
    init = ShapeCNN().features[0].weight.detach().clone()  # the same init
    model = train_model(SEED, device=device)
    x, y, boxes = test_data(200)
    # --8<-- [start:activations]
    filters = model.features[0].weight.detach().cpu()  # (8, 1, 5, 5)
    with torch.no_grad():
        first = model.features[:2](x.to(device)).cpu()  # (N, 8, 32, 32)
        last = model.features(x.to(device)).cpu()  # (N, 16, 8, 8)
    # --8<-- [end:activations]
    last_up = F.interpolate(
        last.mean(1, keepdim=True), size=32, mode="bilinear"
    )[:, 0]
    s = box_scores(last_up, boxes)
    # one init's 8 filters are a small sample: the init level from 100 draws
    draws = torch.cat([ShapeCNN().features[0].weight for _ in range(100)])
    at_init = smoothness(draws.detach())
    smoother = smoothness_each(filters) > smoothness_each(init)  # (8,)
    assert abs(at_init) < 0.07, at_init  # uncorrelated at init
    assert smoothness(filters) > smoothness(init) + 0.03, (
        "mean smoothness rises by 0.03"
    )
    # most filters, not one or two
    assert smoother.sum() >= 5, f"at least 5 filters end smoother {smoother}"
    assert s["mass"] > 1.8 * s["chance"], s
    print(f"first-layer filter smoothness, 100 inits: {at_init:.2f} ±0.01")
    print(
        "first-layer filters smoother than at init: "
        f"{int(smoother.sum())} ±2 of 8"
    )
    print(f"conv3 activation mass inside the box: {s['mass']:.2f} ±0.2")
    print(f"chance (box area / image area): {s['chance']:.3f} ±0.02")
    _plot(filters, x, y, first, last_up)


def _plot(filters, x, y, first, last_up) -> None:
    fig, axes = plt.subplots(1, 8, figsize=(8, 1.2))
    for k, ax in enumerate(axes):
        ax.imshow(filters[k, 0], cmap="gray")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"filter {k}", fontsize=7)
    fig.savefig("filters.png", dpi=100, bbox_inches="tight")
    fig, axes = plt.subplots(3, 6, figsize=(7.5, 4))
    for i, row in enumerate(axes):
        row[0].imshow(x[i, 0], cmap="gray", vmin=0, vmax=1)
        row[0].set_ylabel(CLASSES[int(y[i])], fontsize=7)
        for k in range(4):
            row[k + 1].imshow(first[i, k], cmap="viridis")
        row[5].imshow(x[i, 0], cmap="gray", vmin=0, vmax=1)
        row[5].imshow(last_up[i], cmap="jet", alpha=0.5)
        for ax in row:
            ax.set_xticks([]), ax.set_yticks([])
    titles = ["image"] + [f"conv1 map {k}" for k in range(4)] + ["conv3 mean"]
    for ax, t in zip(axes[0], titles):
        ax.set_title(t, fontsize=7)
    fig.savefig("activations.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
