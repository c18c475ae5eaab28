"""A 3-layer CNN trained for a second classifies the shapes almost perfectly.

The model every snippet in snippets/visualizing/ visualizes: three 3x3/5x5
convolutions, global average pooling and one linear layer (the architecture CAM
needs: Zhou et al. 2016, "Learning Deep Features for Discriminative
Localization", CVPR, Section 2), trained on make_shapes(max_shapes=1).
"""

import os
import sys
from pathlib import Path

# the shared data set: snippets/shapes/shapes.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
from torch import nn
import torch.nn.functional as F

from shapes import CLASSES, make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
class ShapeCNN(nn.Module):
    """(N, 1, 32, 32) -> (N, 3) class scores (logits, before softmax)."""

    def __init__(self, w: int = 8):
        super().__init__()
        self.features = nn.Sequential(  # output of:
            nn.Conv2d(1, w, 5, padding=2),
            nn.ReLU(),  # conv1 (N, 8, 32, 32)
            nn.MaxPool2d(2),
            nn.Conv2d(w, 2 * w, 3, padding=1),
            nn.ReLU(),  # (N, 16, 16, 16)
            nn.MaxPool2d(2),
            nn.Conv2d(2 * w, 2 * w, 3, padding=1),
            nn.ReLU(),
        )  # (N, 16, 8, 8)
        self.fc = nn.Linear(2 * w, len(CLASSES))

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))  # global average pool


# --8<-- [end:model]


def shapes_data(n: int, seed: int) -> tuple:
    """Images (n, 1, 32, 32), labels (n,), boxes (n, 4): one shape each."""
    d = make_shapes(n, max_shapes=1, seed=seed)
    return d["images"], torch.cat(d["labels"]), torch.cat(d["boxes"])


# --8<-- [start:train]
def train_model(seed: int = SEED, steps: int = 150, device: str = "cpu"):
    """Train ShapeCNN with Adam on fresh shapes; returns it in eval() mode."""
    torch.manual_seed(seed)
    x, y, _ = shapes_data(2400, seed=seed)
    model = ShapeCNN().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        i = torch.randint(0, len(x), (32,), generator=g)
        loss = F.cross_entropy(model(x[i].to(device)), y[i].to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


# --8<-- [end:train]


def test_data(n: int = 200, seed: int = SEED) -> tuple:
    """Held-out shapes: a different data seed from every training set."""
    return shapes_data(n, seed=10_000 + seed)


# --8<-- [start:score]
def box_scores(maps: torch.Tensor, boxes: torch.Tensor) -> dict:
    """How well non-negative maps (N, 32, 32) point at the object's box (N, 4).

    mass: share of the map's total inside the box; pointing: the map's maximum
    is inside the box (Zhang et al. 2016's pointing game). An uninformative map
    scores the box's share of the image on both: that is chance."""
    n, h, w = maps.shape
    rows = torch.arange(h).view(1, h, 1)
    cols = torch.arange(w).view(1, 1, w)
    x0, y0, x1, y1 = (boxes[:, i].view(n, 1, 1) for i in range(4))
    inside = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)
    flat, box = maps.flatten(1), inside.flatten(1)
    mass = (flat * box).sum(1) / flat.sum(1).clamp(min=1e-12)
    pointing = box.gather(1, flat.argmax(1, keepdim=True)).float()
    return {
        "mass": mass.mean().item(),
        "pointing": pointing.mean().item(),
        "chance": box.float().mean().item(),
    }


# --8<-- [end:score]


def overlay(images, maps, boxes, titles, name: str, rows=None) -> None:
    """Plot each map over its image (and the box), one row per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    rows = rows or {"": maps}
    fig, axes = plt.subplots(
        len(rows),
        len(images),
        squeeze=False,
        figsize=(1.5 * len(images), 1.6 * len(rows)),
    )
    for r, (label, m) in enumerate(rows.items()):
        for j, ax in enumerate(axes[r]):
            ax.imshow(images[j, 0], cmap="gray", vmin=0, vmax=1)
            ax.imshow(m[j], cmap="jet", alpha=0.5)
            x0, y0, x1, y1 = boxes[j].tolist()
            ax.add_patch(
                Rectangle(
                    (x0 - 0.5, y0 - 0.5),
                    x1 - x0,
                    y1 - y0,
                    fill=False,
                    color="white",
                    lw=1,
                )
            )
            ax.set_xticks([]), ax.set_yticks([])
            if r == 0:
                ax.set_title(titles[j], fontsize=7)
        axes[r, 0].set_ylabel(label, fontsize=7)
    fig.savefig(name, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, _ = test_data(1000)
    with torch.no_grad():
        acc = (model(x.to(device)).argmax(1).cpu() == y).float().mean().item()
    assert acc > 0.9, f"test accuracy {acc:.3f}"  # 3 classes: chance is 1/3
    uniform = box_scores(torch.ones(len(x), 32, 32), test_data(1000)[2])
    assert abs(uniform["mass"] - uniform["chance"]) < 1e-6  # chance is chance
    params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {params}")
    print("training steps: 150 (batch 32)")
    print(f"test accuracy on 1000 new images: {acc:.3f} ±0.02")


if __name__ == "__main__":
    main()
