# unnormalized_targets.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/localization/unnormalized_targets.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python unnormalized_targets.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "c5d7076ac3da6b302c42bab51ace5dccb383ae721f534b63a935a8d3b889a6d5", "sources": {"snippets/localization/classify_and_localize.py": "f8e4fef49ce8bd98bf28b7248e57ea2c1a46267b0dfcdf3d82768857ecb3901c", "snippets/localization/unnormalized_targets.py": "eb637d9fc7b3d4f70a2926977e173a60912d67ee2d6c8a99a8b0c2525723b74e", "snippets/shapes/shapes.py": "d18add5657fd71ae9e9074877a39dde6e4aa0f8da4e0a934ad4336c9c0f9e8ff"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/shapes/shapes.py
_add_module('shapes', r'''"""Synthetic shapes: thousands of labelled 32x32 images with exact boxes and
masks, generated in well under a second.

The shared data set of this site (docs/shapes.md): squares, circles and
triangles on a noisy dark background, each with its class, its tight bounding
box and a per-pixel class mask. Nothing downloaded.
"""

import torch

CLASSES = ("square", "circle", "triangle")


# --8<-- [start:draw]
def _draw(
    cls: torch.Tensor,
    x0: torch.Tensor,
    y0: torch.Tensor,
    side: torch.Tensor,
    size: int,
) -> torch.Tensor:
    """Boolean masks (n, size, size) of one shape per image, inside the square
    [x0, x0+side) x [y0, y0+side)."""
    yy = torch.arange(size).view(1, size, 1).float()  # (1, H, 1) row index
    xx = torch.arange(size).view(1, 1, size).float()  # (1, 1, W) column index
    x0, y0, s = (t.view(-1, 1, 1).float() for t in (x0, y0, side))
    row, col = yy - y0, xx - x0  # position inside the shape's square
    inside = (row >= 0) & (row < s) & (col >= 0) & (col < s)
    c = (s - 1) / 2  # centre of the square, in pixels
    # a disc touching all four sides
    circle = (row - c) ** 2 + (col - c) ** 2 <= c**2 + 0.5
    # apex at the top, base = bottom row
    triangle = (col - c).abs() <= row / 2 + 0.5
    # (3, n, H, W)
    masks = torch.stack([inside, inside & circle, inside & triangle])
    # pick each image's class: (n, H, W)
    return masks[cls, torch.arange(len(cls))]


# --8<-- [end:draw]


def _bounds(masks: torch.Tensor) -> torch.Tensor:
    """Tight boxes (n, 4) = (x0, y0, x1, y1), x1/y1 exclusive, of non-empty
    boolean masks (n, H, W)."""
    cols, rows = masks.any(1), masks.any(2)  # (n, W), (n, H)
    size = masks.shape[-1]
    first = lambda a: a.float().argmax(1)  # first True
    # one past the last True
    last = lambda a: size - a.flip(1).float().argmax(1)
    return torch.stack(
        [first(cols), first(rows), last(cols), last(rows)], 1
    ).float()


# --8<-- [start:make_shapes]
def make_shapes(
    n: int,
    size: int = 32,
    max_shapes: int = 1,
    seed: int = 0,
    min_side: int = 8,
    max_side: int = 16,
    noise: float = 0.1,
) -> dict:
    """n images (n, 1, size, size) with 1..max_shapes non-overlapping shapes
    each, their boxes (x0, y0, x1, y1; x1/y1 exclusive; tight around each
    shape's mask), labels and class masks."""
    g = torch.Generator().manual_seed(seed)
    # shapes wanted per image
    count = torch.randint(1, max_shapes + 1, (n,), generator=g)
    # placed squares, far away if none
    squares = torch.full((n, max_shapes, 4), -size * 2)
    masks = torch.zeros(n, size, size, dtype=torch.long)
    images = torch.zeros(n, size, size)
    boxes, labels = [[] for _ in range(n)], [[] for _ in range(n)]
    for slot in range(max_shapes):
        cls = torch.randint(0, len(CLASSES), (n,), generator=g)
        side = torch.randint(min_side, max_side + 1, (n,), generator=g)
        # each shape its own grey level
        brightness = 0.6 + 0.4 * torch.rand(n, generator=g)
        todo = (count > slot).nonzero().flatten()  # images that want this shape
        for _ in range(50):  # retry positions that overlap
            s = side[todo]
            x0 = (torch.rand(len(todo), generator=g) * (size - s + 1)).long()
            y0 = (torch.rand(len(todo), generator=g) * (size - s + 1)).long()
            new = torch.stack([x0, y0, x0 + s, y0 + s], 1).view(-1, 1, 4)
            old = squares[todo]  # (k, max_shapes, 4)
            # or row between
            apart = (
                (new[..., 2] < old[..., 0])
                | (old[..., 2] < new[..., 0])  # >= 1 empty column
                | (new[..., 3] < old[..., 1])
                | (old[..., 3] < new[..., 1])
            )
            ok = apart.all(1)
            squares[todo[ok], slot] = new[ok, 0]
            todo = todo[~ok]  # the clashing ones try again
            if len(todo) == 0:
                break
        # the rest give up this shape
        placed = (squares[:, slot, 0] >= 0).nonzero().flatten()
        x0, y0 = squares[placed, slot, 0], squares[placed, slot, 1]
        shape = _draw(cls[placed], x0, y0, side[placed], size)  # (k, H, W)
        masks[placed] = torch.where(
            shape, (cls[placed] + 1).view(-1, 1, 1), masks[placed]
        )
        images[placed] = torch.where(
            shape, brightness[placed].view(-1, 1, 1), images[placed]
        )
        for i, b in zip(placed.tolist(), _bounds(shape).tolist()):
            boxes[i].append(b)
            labels[i].append(int(cls[i]))
    images = (images + noise * torch.randn(n, size, size, generator=g)).clamp(
        0, 1
    )
    return {
        "images": images.unsqueeze(1),  # (n, 1, H, W)
        "boxes": [torch.tensor(b) for b in boxes],  # n x (k_i, 4)
        "labels": [
            torch.tensor(l, dtype=torch.long) for l in labels
        ],  # n x (k_i,)
        "masks": masks,  # (n, H, W): 0 = background
    }


# --8<-- [end:make_shapes]


def _check(data: dict, n_check: int = 300) -> None:
    """Each box is exactly the bounds of its shape's mask pixels; no shape pixel
    lies outside a box."""
    for i in range(n_check):
        mask, boxes, labels = (
            data["masks"][i],
            data["boxes"][i],
            data["labels"][i],
        )
        assert len(boxes) == len(labels) >= 1, (len(boxes), len(labels))
        assert ((labels >= 0) & (labels < len(CLASSES))).all(), labels
        covered = 0
        for (x0, y0, x1, y1), label in zip(
            boxes.long().tolist(), labels.tolist()
        ):
            inside = mask[y0:y1, x0:x1] == label + 1
            assert inside[0].any() and inside[-1].any(), (
                i,
                "box rows are not tight",
            )
            assert inside[:, 0].any() and inside[:, -1].any(), (
                i,
                "box columns are not tight",
            )
            covered += int(inside.sum())
        assert covered == int((mask > 0).sum()), (
            i,
            "shape pixels outside every box",
        )


def main() -> None:
    torch.manual_seed(0)
    # generation is on the CPU by design
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # its speed is measured by `python -m kb bench`, not asserted: a busy CPU
    # must not fail a claim
    data = make_shapes(2000, max_shapes=3, seed=0)
    _check(data)
    single = make_shapes(2000, max_shapes=1, seed=1)
    _check(single)
    assert all(len(b) == 1 for b in single["boxes"])
    assert (
        data["images"].shape == (2000, 1, 32, 32)
        and data["images"].dtype == torch.float32
    )
    again = make_shapes(2000, max_shapes=3, seed=0)  # same seed, same data
    assert torch.equal(again["images"], data["images"]) and torch.equal(
        again["masks"], data["masks"]
    )
    assert all(torch.equal(a, b) for a, b in zip(again["boxes"], data["boxes"]))
    other = make_shapes(2000, max_shapes=3, seed=1)
    assert not torch.equal(other["images"], data["images"])
    x = data["images"].to(device)
    shape_px = x.squeeze(1)[data["masks"].to(device) > 0].mean().item()
    background_px = x.squeeze(1)[data["masks"].to(device) == 0].mean().item()
    assert shape_px > background_px + 0.5, (shape_px, background_px)
    counts = torch.tensor([len(b) for b in data["boxes"]])
    per_class = torch.bincount(
        torch.cat(data["labels"]), minlength=len(CLASSES)
    )
    print(f"images generated: {len(data['boxes'])}")
    print(
        f"shapes per image with max_shapes=3 (mean): "
        f"{counts.float().mean():.2f}"
    )
    print(
        "shapes per class: "
        + ", ".join(f"{c} {int(k)}" for c, k in zip(CLASSES, per_class))
    )
    print(
        f"mean pixel value, shapes / background: "
        f"{shape_px:.2f} / {background_px:.3f}"
    )
    _plot(single, data)


def _plot(single: dict, multi: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(2, 6, figsize=(8, 3))
    for row, data, name in (
        (0, single, "max_shapes=1"),
        (1, multi, "max_shapes=3"),
    ):
        for j, ax in enumerate(axes[row]):
            ax.imshow(data["images"][j, 0], cmap="gray", vmin=0, vmax=1)
            for (x0, y0, x1, y1), label in zip(
                data["boxes"][j].tolist(), data["labels"][j].tolist()
            ):
                # imshow puts pixel centres on integers, so a pixel's edges are
                # at +-0.5
                ax.add_patch(
                    Rectangle(
                        (x0 - 0.5, y0 - 0.5),
                        x1 - x0,
                        y1 - y0,
                        fill=False,
                        color="lime",
                        lw=1,
                    )
                )
                ax.text(
                    x0 - 0.5, y0 - 1, CLASSES[label], color="lime", fontsize=6
                )
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, fontsize=8)
    fig.suptitle("make_shapes samples with their boxes and labels")
    fig.savefig("shapes_samples.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
''')


# snippets/localization/classify_and_localize.py
_add_module('classify_and_localize', r'''"""One CNN can classify the single object in an image and regress its box,
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
''')


# --- the snippet, unchanged: snippets/localization/unnormalized_targets.py ---
"""Regressing raw pixel coordinates makes the box loss and its gradient on the
shared features dwarf the classification loss; standardized targets put the two
heads on the same scale.

Girshick 2015, "Fast R-CNN" (ICCV), Section 2.3: the regression targets are
normalized to zero mean and unit variance, and lambda = 1 then balances the two
terms.
"""

import os
import sys
from pathlib import Path

# the shared data set
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
import torch.nn.functional as F

from shapes import make_shapes
from classify_and_localize import Localizer  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_INITS = 16  # the ratios below are means over this many initializations


def head_grads(model, x, labels, box_target):
    """Loss of each head and the norm of its gradient on the shared features."""
    out = {}
    for name in ("class", "box"):
        model.zero_grad()
        scores, box = model(x)
        loss = (
            F.cross_entropy(scores, labels)
            if name == "class"
            else F.smooth_l1_loss(box, box_target, beta=1.0)
        )
        loss.backward()
        g = torch.cat([p.grad.flatten() for p in model.features.parameters()])
        out[name] = (float(loss.detach()), float(g.norm()))
    return out


def main() -> None:
    torch.manual_seed(SEED)
    data = make_shapes(512, seed=SEED)
    x, labels = data["images"], torch.cat(data["labels"])
    boxes = torch.cat(data["boxes"])  # (N, 4) pixels
    runs = []
    for _ in range(N_INITS):  # one untrained localizer's ratios are noisy
        model = Localizer()  # untrained
        # --8<-- [start:compare]
        raw = head_grads(model, x, labels, boxes)
        std = head_grads(
            model, x, labels, (boxes - boxes.mean(0)) / boxes.std(0)
        )
        # --8<-- [end:compare]
        runs.append(
            [
                raw["class"][0],
                raw["box"][0],
                std["box"][0],
                raw["box"][1] / raw["class"][1],  # box / class, raw pixels
                std["box"][1] / std["class"][1],  # box / class, standardized
            ]
        )
    loss_cls, loss_raw, loss_std, ratio_raw, ratio_std = (
        torch.tensor(runs, dtype=torch.float64).mean(0).tolist()
    )
    assert loss_raw > 5 * loss_cls, (
        "raw box loss above 5 times the cross-entropy"
    )
    assert ratio_raw > 5 * ratio_std, (
        "raw gradient ratio above 5 times the standardized"
    )
    assert 1 / 4 < ratio_std < 4, (
        "standardized gradient ratio between 1/4 and 4"
    )
    print(f"untrained localizers averaged: {N_INITS}")
    print(f"classification loss at init: {loss_cls:.2f} ±0.01")
    print(
        f"box loss at init, raw pixels / standardized: "
        f"{loss_raw:.1f} ±0.3 / {loss_std:.2f} ±0.01"
    )
    print(
        "box loss / classification loss, raw pixels: "
        f"{loss_raw / loss_cls:.1f} ±0.2"
    )
    print(
        f"box / class gradient norm on the shared layers, raw pixels: "
        f"{ratio_raw:.1f} ±3"
    )
    print(
        f"box / class gradient norm on the shared layers, standardized: "
        f"{ratio_std:.2f} ±0.5"
    )


if __name__ == "__main__":
    main()
