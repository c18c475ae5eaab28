"""Averaging the boxes that many windows predict for one object, weighted by
their class scores, localizes it better than the box of the one window that
scores highest (what NMS keeps) or the box of the centred window alone.

Sermanet et al. 2014, "OverFeat" (ICLR), Section 4.3: boxes predicted at
every position and scale are merged (averaged in pairs, greedily) rather than
suppressed. Here only positions, one object per image, and one merged box: a
score-weighted mean of the boxes of every window. The localizer is the one of
classify_and_localize.py, trained the same way on 32x32 images.
"""

import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify_and_localize import Localizer, box_iou, one_shape_data, train

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
from shapes import make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
CANVAS, WINDOW = 38, 32  # test images 38x38, windows 32x32 at every offset


# --8<-- [start:windows]
@torch.no_grad()
def window_boxes(model, images, mean, std):
    """Slide a 32x32 window over each image, one pixel at a time. Returns
    every window's box in image pixels, (N, W, 4), and its top class
    probability, (N, W); W = 7 x 7 windows on a 38x38 image."""
    boxes, scores = [], []
    for top in range(CANVAS - WINDOW + 1):
        for left in range(CANVAS - WINDOW + 1):
            crop = images[:, :, top : top + WINDOW, left : left + WINDOW]
            logits, box = model(crop)
            shift = torch.tensor([left, top, left, top], device=box.device)
            boxes.append(box * std + mean + shift)  # window to image pixels
            scores.append(logits.softmax(1).amax(1))
    return torch.stack(boxes, 1), torch.stack(scores, 1)


def merged_box(boxes, scores):
    """OverFeat's idea in its simplest form: one box, the score-weighted
    mean of every window's box, (N, W, 4) -> (N, 4)."""
    weights = scores / scores.sum(1, keepdim=True)
    return (boxes * weights[..., None]).sum(1)


# --8<-- [end:windows]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    (x, y, boxes), _ = one_shape_data(device)
    mean, std = boxes.mean(0), boxes.std(0)
    model = train(Localizer().to(device), x, y, (boxes - mean) / std)

    test = make_shapes(500, size=CANVAS, seed=1000 + SEED)
    images = test["images"].to(device)
    truth = torch.cat(test["boxes"]).float().to(device)
    # --8<-- [start:compare]
    boxes_w, scores_w = window_boxes(model, images, mean, std)
    # only objects that lie wholly inside the centred window, so that the
    # centred window alone is a fair baseline
    c = (CANVAS - WINDOW) // 2
    inside = (truth[:, :2] >= c).all(1) & (truth[:, 2:] <= c + WINDOW).all(1)
    centre = (CANVAS - WINDOW + 1) * c + c  # index of the centred window
    rows = torch.arange(len(truth), device=device)
    iou = {
        "the centred window": box_iou(boxes_w[:, centre], truth),
        "the top-scoring window": box_iou(
            boxes_w[rows, scores_w.argmax(1)], truth
        ),
        "the score-weighted mean of all windows": box_iou(
            merged_box(boxes_w, scores_w), truth
        ),
    }
    iou = {name: v[inside].mean().item() for name, v in iou.items()}
    # --8<-- [end:compare]

    print(f"test objects inside the centred window: {int(inside.sum())} ±30")
    print(f"windows per image: {boxes_w.shape[1]}")
    tol = {"the centred window": 0.04, "the top-scoring window": 0.04}
    for name, v in iou.items():
        print(f"mean IoU, box of {name}: {v:.3f} ±{tol.get(name, 0.03)}")

    merged = iou["the score-weighted mean of all windows"]
    # --8<-- [start:check]
    assert merged > iou["the centred window"] + 0.01, (
        f"the merged box beats the centred window's {iou}"
    )
    assert merged > iou["the top-scoring window"] + 0.01, (
        f"the merged box beats the top-scoring window's {iou}"
    )
    # --8<-- [end:check]


if __name__ == "__main__":
    main()
