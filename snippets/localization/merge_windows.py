"""Averaging the boxes that many windows predict for one object localizes it
better than the box of the centred window alone or the box of the top-scoring
window (what NMS keeps first), and voting, the score-weighted mean of the boxes
that overlap the top-scoring one, better still.

Sermanet et al. 2014, "OverFeat" (ICLR), Section 4.3: the boxes predicted at
every location of the output map and at six scales are merged, two at a time,
into their average, rather than suppressed. Here that idea is reduced to one
object per image, windows one pixel apart at one scale, and one merged box:
the plain mean of every window's box. Gidaris & Komodakis 2015 (ICCV), Section
5: bounding-box voting after NMS. The localizer is the one of
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
# spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
TOL = {
    "the centred window": 0.04,
    "the top-scoring window": 0.04,
    "the lowest-scoring window": 0.07,
    "the mean of all windows": 0.03,
    "voting around the top-scoring window": 0.04,
}


# --8<-- [start:windows]
CORNERS = [  # (left, top) of every window, row by row
    (left, top)
    for top in range(CANVAS - WINDOW + 1)
    for left in range(CANVAS - WINDOW + 1)
]


@torch.no_grad()
def window_boxes(model, images, mean, std):
    """Slide a 32x32 window over each image, one pixel at a time. Returns
    every window's box in image pixels, (N, K, 4), and its class
    probabilities, (N, K, classes); K = 7 x 7 windows on a 38x38 image."""
    boxes, probs = [], []
    for left, top in CORNERS:
        crop = images[:, :, top : top + WINDOW, left : left + WINDOW]
        logits, box = model(crop)
        shift = box.new_tensor([left, top, left, top])
        boxes.append(box * std + mean + shift)  # window to image pixels
        probs.append(logits.softmax(1))
    return torch.stack(boxes, 1), torch.stack(probs, 1)


def merged_box(boxes):
    """The plain mean of every window's box, (N, K, 4) -> (N, 4): OverFeat
    averages two boxes at a time, so its weights depend on the order of the
    merges; equal weights are the simplest form of the idea."""
    return boxes.mean(1)


def voted_box(boxes, score):
    """Bounding-box voting around the top-scoring box: the mean of the boxes
    that overlap it with IoU >= 0.5 (itself included), weighted by score."""
    rows = torch.arange(len(boxes), device=boxes.device)
    top = boxes[rows, score.argmax(1)]  # (N, 4)
    k = boxes.shape[1]
    overlap = box_iou(boxes.reshape(-1, 4), top.repeat_interleave(k, 0))
    weights = score * (overlap.view(-1, k) >= 0.5)  # (N, K)
    return (boxes * weights[..., None]).sum(1) / weights.sum(1, keepdim=True)


def class_score(probs):
    """Each window's probability for the predicted class, (N, K): the class
    the windows' summed probabilities pick, as per-class NMS ranks them."""
    label = probs.sum(1).argmax(1)  # (N,)
    index = label.view(-1, 1, 1).expand(-1, probs.shape[1], 1)
    return probs.gather(2, index).squeeze(2)


# --8<-- [end:windows]


def windows_holding(truth):
    """(N, K): does window k hold the whole true box of image n?"""
    corners = truth.new_tensor(CORNERS)  # (K, 2)
    after = (truth[:, None, :2] >= corners).all(2)
    before = (truth[:, None, 2:] <= corners + WINDOW).all(2)
    return after & before


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    (x, y, boxes), _ = one_shape_data(device)
    mean, std = boxes.mean(0), boxes.std(0)
    model = train(Localizer().to(device), x, y, (boxes - mean) / std)

    test = make_shapes(500, size=CANVAS, seed=1000 + SEED)
    images = test["images"].to(device)
    truth = torch.cat(test["boxes"]).float().to(device)
    assert len(truth) == len(images)  # one object per image
    # --8<-- [start:compare]
    boxes_w, probs_w = window_boxes(model, images, mean, std)
    score = class_score(probs_w)
    holds = windows_holding(truth)  # needs the true box: for scoring only
    rows = torch.arange(len(truth), device=device)
    centre = boxes_w.shape[1] // 2  # the centred window
    iou = {
        "the centred window": box_iou(boxes_w[:, centre], truth),
        "the top-scoring window": box_iou(
            boxes_w[rows, score.argmax(1)], truth
        ),
        "the lowest-scoring window": box_iou(
            boxes_w[rows, score.argmin(1)], truth
        ),
        "the mean of all windows": box_iou(merged_box(boxes_w), truth),
        "voting around the top-scoring window": box_iou(
            voted_box(boxes_w, score), truth
        ),
    }
    # only objects wholly inside the centred window, so that the centred
    # window alone is a fair baseline
    inside = holds[:, centre]
    iou = {name: v[inside].mean().item() for name, v in iou.items()}
    # --8<-- [end:compare]

    cut = 1 - holds[inside].float().mean().item()
    print(f"test objects inside the centred window: {int(inside.sum())} ±30")
    print(f"windows per image: {boxes_w.shape[1]}")
    print(f"share of their windows that cut the object: {cut:.2f} ±0.03")
    for name, v in iou.items():
        print(f"mean IoU, box of {name}: {v:.3f} ±{TOL[name]}")

    merged = iou["the mean of all windows"]
    # --8<-- [start:check]
    assert merged > iou["the centred window"], (
        f"the merged box beats the centred window's {iou}"
    )
    assert merged > iou["the top-scoring window"], (
        f"the merged box beats the top-scoring window's {iou}"
    )
    assert iou["voting around the top-scoring window"] > merged, (
        f"voting scores higher than the plain mean {iou}"
    )
    assert iou["the lowest-scoring window"] < iou["the top-scoring window"], (
        "the lowest-scoring window's box is worse than the top-scoring "
        f"one's {iou}"
    )
    # --8<-- [end:check]


if __name__ == "__main__":
    main()
