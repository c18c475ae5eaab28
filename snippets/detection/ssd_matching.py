"""SSD matches each ground-truth box to its best default box and to every
default box with IoU > 0.5, so a small object lands on the finest map and a
large one on the coarsest; hard negative mining keeps the negatives with the
highest confidence loss, at most 3 per positive.

Liu, Anguelov, Erhan, Szegedy, Reed, Fu & Berg 2016, "SSD: Single Shot MultiBox
Detector" (ECCV), Section 2.2 (Training): matching strategy (best jaccard
overlap, then any overlap above 0.5), choosing scales and aspect ratios for
default boxes (s_k = s_min + (s_max - s_min)(k - 1)/(m - 1), s_min = 0.2,
s_max = 0.9; ratios {1, 2, 3, 1/2, 1/3} plus an extra square box of scale
sqrt(s_k s_k+1)), hard negative mining (negatives:positives at most 3:1).
"""

import math
import os

import torch
import torch.nn.functional as F

from anchor_matching import match_anchors  # same folder
from anchors import grid_anchors  # same folder
from nms import box_iou  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:default_boxes]
def ssd_scales(m, s_min=0.2, s_max=0.9):
    return [
        s_min + (s_max - s_min) * (k - 1) / (m - 1) for k in range(1, m + 1)
    ]


def default_boxes(sizes, ratios=(1.0, 2.0, 0.5)):
    """Default boxes in image coordinates [0, 1], map by map, (N, 4) xyxy,
    and the index of the map each box comes from."""
    s = ssd_scales(len(sizes)) + [1.0]  # s_{m+1} = 1 for the last extra box
    boxes, level = [], []
    for k, f in enumerate(sizes):  # an f x f map: centres (i + 0.5) / f
        b = grid_anchors(f, f, 1 / f, [s[k]], ratios).reshape(f * f, -1, 4)
        extra = grid_anchors(f, f, 1 / f, [math.sqrt(s[k] * s[k + 1])], [1.0])
        b = torch.cat([b, extra.reshape(f * f, 1, 4)], 1).reshape(-1, 4)
        boxes.append(b)
        level.append(torch.full((len(b),), k))
    return torch.cat(boxes), torch.cat(level)


# --8<-- [end:default_boxes]


# --8<-- [start:match]
def ssd_match(defaults, gt, threshold=0.5):
    """matched[i] = the ground-truth box default box i regresses to, or -1
    (background). No ignored zone, unlike the RPN's 0.7 / 0.3 rule."""
    iou = box_iou(defaults, gt)  # (D, G)
    best_iou, matched = iou.max(1)
    matched[best_iou <= threshold] = -1  # "jaccard overlap higher than 0.5"
    best_default = iou.argmax(0)  # (G,): each box's best default box
    matched[best_default] = torch.arange(len(gt))
    return matched


def hard_negatives(conf_loss, positive, ratio=3):
    """Mask of the negatives kept: the ratio * #positives negatives with
    the highest confidence loss."""
    n_neg = min(ratio * int(positive.sum()), int((~positive).sum()))
    loss = conf_loss.masked_fill(positive, -math.inf)  # positives never
    keep = torch.zeros_like(positive)
    keep[loss.argsort(descending=True)[:n_neg]] = True
    return keep


# --8<-- [end:match]


def main() -> None:
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    sizes = (8, 4, 2, 1)
    defaults, level = default_boxes(sizes)
    assert len(defaults) == sum(4 * f * f for f in sizes), len(defaults)
    wh = defaults[:, 2:] - defaults[:, :2]
    area = wh.prod(1)
    s = ssd_scales(len(sizes))
    for k in range(len(sizes)):  # the three ratio boxes have area s_k^2
        torch.testing.assert_close(
            area[level == k].reshape(-1, 4)[:, :3],
            torch.full((sizes[k] ** 2, 3), s[k] ** 2, dtype=torch.float64),
        )

    # a small object, a large one and a medium one, in [0, 1] coordinates
    gt = torch.tensor(
        [
            [0.22, 0.23, 0.40, 0.41],
            [0.08, 0.1, 0.9, 0.94],
            [0.52, 0.03, 0.98, 0.47],
        ],
        dtype=torch.float64,
    )
    matched = ssd_match(defaults, gt)
    iou = box_iou(defaults, gt)
    margin = float((iou - 0.5).abs().min())
    assert margin > 1e-6, f"no IoU within 1e-6 of 0.5: {margin}"
    for g in range(len(gt)):
        assert (matched == g).any(), "every box has a default box"
    assert (level[matched == 0] == 0).all(), "the small box: finest map only"
    assert (level[matched == 1] == 3).all(), "the large box: coarsest map only"
    assert (iou[:, 2] < 0.5).all() and int((matched == 2).sum()) == 1, (
        "the medium box: best-box rule only"
    )
    positive = matched >= 0

    rpn, _ = match_anchors(defaults, gt)  # the same boxes, the RPN's rule
    # no label hangs on float rounding: IoUs clear of 0.7 and 0.3, and each
    # IoU ties its box's best or is clearly below it
    iou_rpn = box_iou(defaults, gt)
    for values, t in ((iou_rpn, 0.7), (iou_rpn.max(1).values, 0.3)):
        assert float((values - t).abs().min()) > 1e-6, f"no IoU near {t}"
    gap = iou_rpn.max(0).values - iou_rpn
    assert not ((gap > 1e-9) & (gap < 1e-6)).any(), "no near-tie"

    # hard negative mining on the confidence loss of random class scores
    logits = torch.randn(len(defaults), 4, generator=gen, dtype=torch.float64)
    target = torch.where(positive, matched + 1, 0)  # 0 = background
    conf_loss = F.cross_entropy(logits, target, reduction="none")
    keep = hard_negatives(conf_loss, positive)
    n_pos = int(positive.sum())
    assert int(keep.sum()) == 3 * n_pos and not (keep & positive).any()
    # independent route: sort the negatives' losses in Python
    negatives = sorted(
        (i for i in range(len(defaults)) if not positive[i]),
        key=lambda i: -float(conf_loss[i]),
    )
    assert set(torch.nonzero(keep).flatten().tolist()) == set(
        negatives[: 3 * n_pos]
    ), "kept = the 3 x #positives negatives of highest loss"
    dropped = ~keep & ~positive
    assert conf_loss[keep].min() > conf_loss[dropped].max()

    print(f"feature maps: {' '.join(f'{f}x{f}' for f in sizes)}")
    print(f"scales s_k: {', '.join(f'{x:.2f}' for x in s)}")
    print(f"default boxes (4 per position): {len(defaults)}")
    for g, name in enumerate(("small", "large", "medium")):
        maps = sorted({sizes[i] for i in level[matched == g].tolist()})
        print(
            f"{name} box, matched default boxes: {int((matched == g).sum())}"
            f" on maps {', '.join(f'{f}x{f}' for f in maps)}"
        )
    print(f"SSD rule, positive / negative: {n_pos} / {int((~positive).sum())}")
    print(
        "RPN rule on the same boxes, positive / negative / ignored: "
        f"{int((rpn == 1).sum())} / {int((rpn == 0).sum())} / "
        f"{int((rpn == -1).sum())}"
    )
    print(f"negatives kept by hard negative mining: {int(keep.sum())}")
    print(f"negatives dropped: {int(dropped.sum())}")


if __name__ == "__main__":
    main()
