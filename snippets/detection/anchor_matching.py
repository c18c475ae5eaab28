"""Anchor matching labels an anchor positive at IoU > 0.7 with some
ground-truth box, or if it is that box's best anchor; negative below 0.3; the
rest is ignored.

Ren, He, Girshick & Sun 2015, "Faster R-CNN" (NeurIPS), Section 3.1.2 (Loss
Function): positives are (i) the anchor(s) with the highest IoU with a
ground-truth box and (ii) anchors with IoU > 0.7 with any ground-truth box;
negatives have IoU < 0.3 with every ground-truth box; the rest do not
contribute.
"""

import os

import torch

from anchors import grid_anchors  # same folder: snippets/detection/anchors.py
from nms import box_iou  # same folder: snippets/detection/nms.py

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
# float64 IoUs are exact to ~1e-16; a label must not hang on that rounding
CLEAR = 1e-6  # every IoU at least this far from a threshold (asserted)


# --8<-- [start:match]
TIE = 1e-9  # IoUs this close are equal but for float rounding


def match_anchors(anchors, gt, pos=0.7, neg=0.3):
    """Returns (labels, matched): labels 1 positive, 0 negative, -1 ignored;
    matched[i] = index of the ground-truth box anchor i regresses to."""
    iou = box_iou(anchors.double(), gt.double())  # (A, G), float64
    best_iou, matched = iou.max(1)  # each anchor's best GT
    labels = torch.full((len(anchors),), -1)
    labels[best_iou < neg] = 0
    labels[best_iou > pos] = 1  # "higher than 0.7"
    # rule (i): each GT's best anchor(s) are positive even below 0.7, so
    # every GT gets at least one positive anchor. Ties included: anchors that
    # each contain the whole box have the same IoU, up to rounding
    gt_best = iou.max(0).values  # (G,)
    a_idx, g_idx = torch.nonzero(
        (iou >= gt_best - TIE) & (gt_best > 0), as_tuple=True
    )
    labels[a_idx] = 1
    matched[a_idx] = g_idx
    return labels, matched


# --8<-- [end:match]


def random_boxes(n, size, gen):
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * size * 0.7
    wh = 6 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * size * 0.4
    return torch.cat([xy, (xy + wh).clamp(max=size)], 1)


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    anchors = grid_anchors(16, 16, 4, scales=(12, 24), ratios=(0.5, 1.0, 2.0))
    gt = random_boxes(6, 64, gen)  # a 64 x 64 image
    labels, matched = match_anchors(anchors, gt)

    # independent route: loops over anchors and boxes, written from the rules
    iou = box_iou(anchors.double(), gt.double()).tolist()  # Python lists
    col_best = [max(row[g] for row in iou) for g in range(len(gt))]
    ref = []
    for row in iou:
        best_of_some_gt = any(
            v >= col_best[g] - TIE and v > 0 for g, v in enumerate(row)
        )
        ref.append(
            1
            if max(row) > 0.7 or best_of_some_gt
            else 0
            if max(row) < 0.3
            else -1
        )
    assert labels.tolist() == ref, "vectorised labels equal the loop"
    iou = torch.tensor(iou, dtype=torch.float64)
    # no count hangs on rounding: every IoU is clear of 0.7, every anchor's
    # best IoU clear of 0.3, and every IoU ties its box's best or is clearly
    # below it
    for values, threshold in ((iou, 0.7), (iou.max(1).values, 0.3)):
        margin = float((values - threshold).abs().min())
        assert margin > CLEAR, f"no IoU within {CLEAR} of {threshold}: {margin}"
    gap = iou.max(0).values - iou
    assert not ((gap > TIE) & (gap < CLEAR)).any(), (
        "every IoU ties its box's best or is clearly below it"
    )

    only_threshold = iou.max(1).values > 0.7
    gts_without = int((~(iou > 0.7).any(0)).sum())
    pos = labels == 1
    covered = ((gap <= TIE) & pos[:, None]).any(0)
    assert covered.all(), "every ground-truth box has a positive anchor"
    print(f"anchors: {len(anchors)}, ground-truth boxes: {len(gt)}")
    print(
        f"positive / negative / ignored: {int(pos.sum())} / "
        f"{int((labels == 0).sum())} / {int((labels == -1).sum())}"
    )
    print(f"positives from IoU > 0.7 alone: {int(only_threshold.sum())}")
    assert int(pos.sum()) >= int(only_threshold.sum())
    print(f"ground-truth boxes with no anchor at IoU > 0.7: {gts_without}")
    print(
        "ground-truth boxes with a positive after rule (i): "
        f"{int(covered.sum())} of {len(gt)}"
    )


if __name__ == "__main__":
    main()
