"""One CNN can classify the single object in an image and regress its box,
trained on a summed multi-task loss.

Sermanet et al. 2014, "OverFeat" (ICLR), Section 4 (a box-regression head on
shared features); Girshick 2015, "Fast R-CNN" (ICCV), Section 2.3 (multi-task
loss: cross-entropy + smooth L1 on normalized box targets). Data: the site's
synthetic shapes, one shape per 32x32 image.
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from torch import nn

# --8<-- [start:import_shapes]
# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
from shapes import CLASSES, make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
# --8<-- [end:import_shapes]


# --8<-- [start:model]
class Localizer(nn.Module):
    """Shared convolutional features, then two heads: class scores and 4 box
    numbers."""

    def __init__(self, n_classes: int = len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5, stride=2, padding=2),
            nn.ReLU(),  # (N, 8, 16, 16)
            nn.Conv2d(8, 16, 3, stride=2, padding=1),
            nn.ReLU(),  # (N, 16, 8, 8)
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),  # (N, 32, 4, 4): keeps "where"
            nn.Flatten(),
            nn.Linear(512, 64),
            nn.ReLU(),  # (N, 64)
        )
        self.classify = nn.Linear(64, n_classes)  # (N, 3) class scores
        self.box = nn.Linear(64, 4)  # (N, 4) normalized box targets

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.features(x)
        return self.classify(h), self.box(h)


# --8<-- [end:model]


# --8<-- [start:loss]
def multitask_loss(
    scores, box_pred, labels, box_target, box_weight: float = 1.0
):
    """Cross-entropy for the class + smooth L1 (Huber, transition at 1) for the
    box, summed."""
    return F.cross_entropy(scores, labels) + box_weight * F.smooth_l1_loss(
        box_pred, box_target, beta=1.0
    )


# --8<-- [end:loss]


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """IoU of matching rows (N, 4) of (x0, y0, x1, y1) boxes; see
    snippets/localization/iou.py."""
    w = (
        torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])
    ).clamp(min=0)
    h = (
        torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])
    ).clamp(min=0)
    area = lambda box: (
        (box[:, 2] - box[:, 0]).clamp(min=0)
        * (box[:, 3] - box[:, 1]).clamp(min=0)
    )
    return w * h / (area(a) + area(b) - w * h)


# --8<-- [start:train]
def train(model, x, labels, target, epochs=12):
    """Adam on the summed loss, in batches of 100 images."""
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(epochs):
        for idx in torch.randperm(len(x), device=x.device).split(100):
            scores, box_pred = model(x[idx])
            loss = multitask_loss(scores, box_pred, labels[idx], target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


# --8<-- [end:train]


def one_shape_data(device):
    """2000 training and 500 test images, one shape each, boxes in pixels."""
    train_set, test_set = make_shapes(2000, seed=0), make_shapes(500, seed=1)
    return [
        (
            d["images"].to(device),
            torch.cat(d["labels"]).to(device),
            torch.cat(d["boxes"]).to(device),
        )
        for d in (train_set, test_set)
    ]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    (x, y, boxes), (x_test, y_test, boxes_test) = one_shape_data(device)

    # --8<-- [start:fit]
    # normalize each coordinate: zero mean, unit variance
    mean, std = (boxes.mean(0), boxes.std(0))
    model = train(Localizer().to(device), x, y, (boxes - mean) / std)
    with torch.no_grad():
        scores, box_pred = model(x_test)
    pred_boxes = box_pred * std + mean  # back to pixels
    accuracy = (scores.argmax(1) == y_test).float().mean().item()
    ious = box_iou(pred_boxes, boxes_test)
    # --8<-- [end:fit]

    print(f"held-out images: {len(y_test)}")
    print(f"test classification accuracy: {accuracy:.3f} ±0.07")
    print(f"test mean IoU: {ious.mean().item():.3f} ±0.06")
    print(
        f"test boxes with IoU >= 0.5: "
        f"{(ious >= 0.5).float().mean().item():.3f} ±0.03"
    )
    assert accuracy > 0.9, "held-out accuracy above 0.9"
    assert ious.mean() > 0.7, "held-out mean IoU above 0.7"

    fig, axes = plt.subplots(1, 6, figsize=(8, 1.9))
    for j, ax in enumerate(axes):
        ax.imshow(x_test[j, 0].cpu(), cmap="gray", vmin=0, vmax=1)
        for box, color in ((boxes_test[j], "lime"), (pred_boxes[j], "red")):
            x0, y0, x1, y1 = box.tolist()  # pixel edges are at +-0.5 in imshow
            ax.add_patch(
                Rectangle(
                    (x0 - 0.5, y0 - 0.5),
                    x1 - x0,
                    y1 - y0,
                    fill=False,
                    color=color,
                    lw=1.2,
                )
            )
        ax.set_title(
            f"{CLASSES[scores[j].argmax()]}\nIoU {ious[j]:.2f}", fontsize=7
        )
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(
        "Held-out images: true box (green), predicted box (red)",
        fontsize=9,
        y=1.12,
    )
    fig.savefig("predicted_boxes.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
