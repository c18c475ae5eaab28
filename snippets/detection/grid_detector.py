"""A one-stage grid detector (YOLO-v1 style) finds several shapes per image in
one forward pass; NMS then removes its duplicates.

Redmon, Divvala, Girshick & Farhadi 2016, "You Only Look Once: Unified,
Real-Time Object Detection" (CVPR), Section 2: an S x S grid where the cell
holding an object's centre predicts its box (offsets within the cell, size
relative to the image, square roots of width and height in the loss) and its
class.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
import torch
from torch import nn
import torch.nn.functional as F

from shapes import CLASSES, make_shapes
from nms import batched_nms  # same folder: snippets/detection/nms.py

# same folder: snippets/detection/average_precision.py
from average_precision import mean_average_precision

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

SIZE, S = 32, 4  # 32x32 images, a 4x4 grid of 8x8-pixel cells
CELL = SIZE // S
C = len(CLASSES)


# --8<-- [start:encode]
def encode(boxes: list, labels: list) -> torch.Tensor:
    """Ground truth -> per-cell targets (N, 6, S, S): objectness, class, x/y
    offset in the cell, sqrt(width / SIZE), sqrt(height / SIZE). The cell
    holding a box's centre is responsible for it."""
    t = torch.zeros(len(boxes), 6, S, S)
    for i, (b, lab) in enumerate(zip(boxes, labels)):
        # centre in cell units
        cx, cy = (
            (b[:, 0] + b[:, 2]) / 2 / CELL,
            (b[:, 1] + b[:, 3]) / 2 / CELL,
        )
        col, row = cx.long().clamp(max=S - 1), cy.long().clamp(max=S - 1)
        t[i, :, row, col] = torch.stack(
            [
                torch.ones_like(cx),
                lab.float(),
                cx - col,
                cy - row,
                ((b[:, 2] - b[:, 0]) / SIZE).sqrt(),
                ((b[:, 3] - b[:, 1]) / SIZE).sqrt(),
            ]
        )
    return t


# --8<-- [end:encode]


# --8<-- [start:model]
def grid_detector(width: int = 8) -> nn.Sequential:
    """32x32 image -> (N, 1 + C + 4, 4, 4): three conv+pool stages bring 32 px
    down to the 4x4 grid."""

    def stage(c_in, c_out):
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]

    # per cell: obj, classes, box
    return nn.Sequential(
        *stage(1, width),
        *stage(width, 2 * width),
        *stage(2 * width, 4 * width),
        nn.Conv2d(4 * width, 8 * width, 3, padding=1),
        nn.BatchNorm2d(8 * width),
        nn.ReLU(),
        nn.Conv2d(8 * width, 1 + C + 4, kernel_size=1),
    )


# --8<-- [end:model]


# --8<-- [start:loss]
def detection_loss(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Objectness on every cell; class and box only on the cells that hold an
    object."""
    has_obj = t[:, 0] > 0  # (N, S, S)
    # ~2 of 16 cells hold an object: weigh them up (YOLO instead weighs empty
    # cells down by 0.5)
    loss_obj = F.binary_cross_entropy_with_logits(
        out[:, 0], t[:, 0], pos_weight=out.new_tensor(3.0)
    )
    # (P, 8), (P, 6)
    o, g = (out.permute(0, 2, 3, 1)[has_obj], t.permute(0, 2, 3, 1)[has_obj])
    loss_cls = F.cross_entropy(o[:, 1 : 1 + C], g[:, 1].long())
    # offsets and sqrt sizes in [0, 1]
    loss_box = F.mse_loss(o[:, 1 + C :].sigmoid(), g[:, 2:])
    return loss_obj + loss_cls + 5 * loss_box  # YOLO weighs boxes by 5


# --8<-- [end:loss]


# --8<-- [start:decode]
def decode(
    out: torch.Tensor,
    score_threshold: float = 0.05,
    iou_threshold: float | None = 0.5,
) -> list:
    """(N, 8, S, S) -> per image (boxes (k, 4), scores (k,), labels (k,)); score
    = P(obj) * P(class | obj). iou_threshold=None skips NMS."""
    p = out.permute(0, 2, 3, 1)  # (N, S, S, 8)
    scores, labels = (p[..., :1].sigmoid() * p[..., 1 : 1 + C].softmax(-1)).max(
        -1
    )
    tx, ty, sw, sh = p[..., 1 + C :].sigmoid().unbind(-1)
    grid = torch.arange(S, dtype=p.dtype, device=p.device)
    # pixels
    cx, cy = (
        (grid[None, None, :] + tx) * CELL,
        (grid[None, :, None] + ty) * CELL,
    )
    w, h = sw**2 * SIZE, sh**2 * SIZE
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)
    result = []
    # one image at a time
    for b, s, lab in zip(
        boxes.flatten(1, 2), scores.flatten(1), labels.flatten(1)
    ):
        keep = s > score_threshold
        b, s, lab = b[keep], s[keep], lab[keep]
        if iou_threshold is not None:
            keep = batched_nms(b, s, lab, iou_threshold)
            b, s, lab = b[keep], s[keep], lab[keep]
        result.append((b.cpu(), s.cpu(), lab.cpu()))
    return result


# --8<-- [end:decode]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:train]
    train = make_shapes(800, size=SIZE, max_shapes=3, seed=1)
    # held out: another seed
    test = make_shapes(200, size=SIZE, max_shapes=3, seed=2)
    x, t = (
        train["images"].to(device),
        encode(train["boxes"], train["labels"]).to(device),
    )
    n_objects = sum(len(b) for b in train["boxes"])
    # one object per cell: no two centres share a cell here
    assert int(t[:, 0].sum()) == n_objects, "no two centres share a cell"
    model = grid_detector().to(device)
    with torch.no_grad():  # the untrained net's loss, to compare with
        start_loss = detection_loss(model.eval()(x), t).item()
    model.train()
    epochs, batch = 10, 128
    opt = torch.optim.Adam(model.parameters())
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=1e-2, total_steps=epochs * -(-len(x) // batch)
    )
    for _ in range(epochs):
        for idx in torch.randperm(len(x), device=device).split(batch):
            loss = detection_loss(model(x[idx]), t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()  # warm up, then anneal to ~0
    # --8<-- [end:train]

    # --8<-- [start:evaluate]
    model.eval()
    with torch.no_grad():
        out = model(test["images"].to(device))
        final_loss = detection_loss(model(x), t).item()
    gts = list(zip(test["boxes"], test["labels"]))
    raw = decode(out, iou_threshold=None)  # every cell above score 0.05
    kept = decode(out, iou_threshold=0.5)  # per-class greedy NMS
    _, map_raw = mean_average_precision(raw, gts, C, iou_threshold=0.5)
    aps, map_nms = mean_average_precision(kept, gts, C, iou_threshold=0.5)
    # --8<-- [end:evaluate]
    n_raw, n_kept = sum(len(d[0]) for d in raw), sum(len(d[0]) for d in kept)
    n_gt = sum(len(b) for b in test["boxes"])
    assert map_nms > 0.9, "held-out mAP@0.5 with NMS above 0.9"
    # duplicates cost precision; NMS removes them
    assert map_nms > map_raw, "NMS raises the held-out mAP@0.5"
    assert n_kept < n_raw, "NMS removes detections"
    # training cuts the loss more than tenfold (the final loss itself moves
    # with the seed and the CPU by about half its size)
    assert final_loss < start_loss / 10, (
        "training cuts the loss more than tenfold"
    )

    print(f"training images: {len(x)}")
    print(f"grid: {S}x{S} cells of {CELL}x{CELL} px")
    print(f"training-set loss, untrained: {start_loss:.2f} ±0.03")
    print("training-set loss, trained: less than a tenth of that")
    print(f"held-out ground-truth boxes: {n_gt}")
    print(f"detections with score > 0.05, without NMS: {n_raw} ±90")
    print(f"detections with score > 0.05, after NMS: {n_kept} ±40")
    print(f"held-out mAP@0.5 without NMS: {map_raw:.3f} ±0.03")
    print(f"held-out mAP@0.5 with NMS: {map_nms:.3f} ±0.03")
    print(f"detections removed by NMS: {n_raw - n_kept} ±60")
    print(
        "AP@0.5 per class with NMS: "
        + ", ".join(f"{c} {a:.3f} ±0.07" for c, a in zip(CLASSES, aps))
    )
    plot(test, raw, kept)


def plot(
    test: dict,
    raw: list,
    kept: list,
    show: float = 0.15,
    images=(0, 2, 4, 6, 8),
) -> None:
    fig, axes = plt.subplots(2, len(images), figsize=(8.5, 3.8))
    for row, (dets, name) in enumerate(
        ((raw, "without NMS"), (kept, "with NMS"))
    ):
        for ax, j in zip(axes[row], images):  # every class appears in these
            ax.imshow(test["images"][j, 0], cmap="gray", vmin=0, vmax=1)
            for k in range(1, S):  # the 4x4 grid of cells
                ax.axhline(k * CELL - 0.5, color="white", lw=0.3, alpha=0.4)
                ax.axvline(k * CELL - 0.5, color="white", lw=0.3, alpha=0.4)
            for x0, y0, x1, y1 in test["boxes"][
                j
            ].tolist():  # pixel edges at +-0.5
                ax.add_patch(
                    Rectangle(
                        (x0 - 0.5, y0 - 0.5),
                        x1 - x0,
                        y1 - y0,
                        fill=False,
                        color="lime",
                        lw=1.2,
                        ls="--",
                    )
                )
            for (x0, y0, x1, y1), s, lab in zip(*dets[j]):
                if s > show:
                    ax.add_patch(
                        Rectangle(
                            (x0 - 0.5, y0 - 0.5),
                            x1 - x0,
                            y1 - y0,
                            fill=False,
                            color="red",
                            lw=0.9,
                        )
                    )
                    ax.text(
                        x0 - 0.5,
                        y0 - 1.5,
                        f"{CLASSES[lab][:3]} {s:.2f}",
                        color="red",
                        fontsize=5.5,
                    )
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, fontsize=8)
    axes[0, 0].set_title(
        "dashed green: ground truth; red: predicted class, score",
        fontsize=7,
        loc="left",
    )
    fig.suptitle(
        f"Grid detector on held-out shapes (boxes with score > {show})"
    )
    fig.savefig("grid_detector_detections.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
