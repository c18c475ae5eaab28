"""RetinaNet labels anchors positive at IoU >= 0.5, background below 0.4 and
ignores [0.4, 0.5); its focal loss summed over all anchors and divided by the
number of positives stays put as easy negatives are added, while the mean over
all anchors shrinks toward zero.

Lin, Goyal, Girshick, He & Dollar 2017, "Focal Loss for Dense Object
Detection" (ICCV), Section 4 (RetinaNet Detector), "Anchors": anchors of areas
32^2 to 512^2 on P3 to P7, 3 aspect ratios x 3 sizes {2^0, 2^(1/3), 2^(2/3)};
IoU >= 0.5 assigned to a ground-truth box, [0, 0.4) background, [0.4, 0.5)
ignored. Section 4.1 (Inference and Training), "Focal Loss": the loss of an
image is the sum over all ~100k anchors "normalized by the number of anchors
assigned to a ground-truth box", not by the total number of anchors, "since
the vast majority of anchors are easy negatives".
"""

import os

import torch
import torch.nn.functional as F

from anchors import grid_anchors  # same folder: snippets/detection/anchors.py
from focal_loss import sigmoid_focal_loss  # same folder
from nms import box_iou  # same folder: snippets/detection/nms.py

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:assign]
def retinanet_anchors(image=512):
    """P3 to P7 (strides 8 to 128), base sizes 32 to 512, 9 anchors each."""
    sizes = [2**0, 2 ** (1 / 3), 2 ** (2 / 3)]
    levels = []
    for level in range(3, 8):
        stride, base = 2**level, 2 ** (level + 2)  # P3: stride 8, 32 x 32
        n = image // stride
        scales = [base * s for s in sizes]
        levels.append(grid_anchors(n, n, stride, scales, (0.5, 1.0, 2.0)))
    return torch.cat(levels)


def assign(anchors, gt, fg=0.5, bg=0.4):
    """labels: 1 positive, 0 background, -1 ignored; matched: best box."""
    best_iou, matched = box_iou(anchors, gt).max(1)  # (A,), float64
    labels = torch.full((len(anchors),), -1)  # [0.4, 0.5): ignored
    labels[best_iou < bg] = 0
    labels[best_iou >= fg] = 1
    return labels, matched


# --8<-- [end:assign]


# --8<-- [start:normalize]
def image_loss(logits, labels, normalizer="positives"):
    """Focal loss summed over every anchor that is not ignored, divided by
    the number of positives (RetinaNet) or by the number of anchors."""
    keep = labels >= 0
    loss = sigmoid_focal_loss(logits[keep], labels[keep].double()).sum()
    n = (labels == 1).sum() if normalizer == "positives" else keep.sum()
    return float(loss / n.clamp(min=1))


# --8<-- [end:normalize]


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    anchors = retinanet_anchors()  # (A, 4) on a 512 x 512 image
    xy = torch.rand(6, 2, generator=gen, dtype=torch.float64) * 300
    wh = 40 + torch.rand(6, 2, generator=gen, dtype=torch.float64) * 170
    gt = torch.cat([xy, xy + wh], 1)  # six objects
    labels, _ = assign(anchors, gt)

    # independent route: a loop over the anchors' IoUs, written from the rules
    iou = box_iou(anchors, gt)
    best = iou.max(1).values
    ref = [1 if b >= 0.5 else 0 if b < 0.4 else -1 for b in best.tolist()]
    assert labels.tolist() == ref, "labels equal the loop over the rules"
    # no label hangs on float rounding: no best IoU within 1e-9 of 0.4, 0.5
    for t in (0.4, 0.5):
        margin = float((best - t).abs().min())
        assert margin > 1e-9, f"no IoU within 1e-9 of {t}: {margin}"
    counts = {k: int((labels == k).sum()) for k in (1, 0, -1)}
    assert sum(counts.values()) == len(anchors)
    assert counts[1] > 0 and counts[-1] > 0, "positives and ignored exist"
    assert counts[0] > 100 * counts[1], "background outnumbers positives"

    # --8<-- [start:dense]
    # the loss of one image as easy negatives are added: the positives and
    # hard negatives stay, the easy negatives grow tenfold, to ~100k
    q = lambda m: torch.special.ndtri((torch.arange(m) + 0.5).double() / m)
    n_pos, n_hard = 100, 300
    rows = {}
    for n_easy in (1_000, 10_000, 100_000):
        logits = torch.cat(
            [
                0.5 + 1.0 * q(n_pos),  # positives, 69 of 100 above p = 0.5
                -1.0 + 1.0 * q(n_hard),  # hard negatives
                -6.0 + 0.5 * q(n_easy),  # easy negatives, p ~ 0.0025
            ]
        )
        y = torch.cat([torch.ones(n_pos), torch.zeros(n_hard + n_easy)])
        y = y.long()
        ce = F.binary_cross_entropy_with_logits(
            logits, y.double(), reduction="sum"
        )
        rows[n_easy] = (
            image_loss(logits, y, "positives"),
            image_loss(logits, y, "anchors"),
            float(ce) / n_pos,
        )
    # --8<-- [end:dense]
    per_pos = [r[0] for r in rows.values()]
    per_anchor = [r[1] for r in rows.values()]
    ce_per_pos = [r[2] for r in rows.values()]
    assert max(per_pos) < 1.1 * min(per_pos), (
        "FL / #positives stays within 10 % over 100x more easy negatives"
    )
    assert per_anchor[-1] < per_anchor[0] / 50, (
        "FL / #anchors shrinks more than 50-fold"
    )
    assert ce_per_pos[-1] > 2 * ce_per_pos[0], (
        "CE / #positives grows with the easy negatives"
    )

    print(f"anchors (P3 to P7, 512 x 512 image): {len(anchors)}")
    print(
        f"positive / background / ignored: "
        f"{counts[1]} / {counts[0]} / {counts[-1]}"
    )
    print("easy negatives: FL / #positives, FL / #anchors, CE / #positives")
    for n_easy, (a, b, c) in rows.items():
        print(f"easy negatives {n_easy}: {a:.4f}, {b:.2e}, {c:.2f}")
    print(
        f"FL / #positives, largest / smallest: "
        f"{max(per_pos) / min(per_pos):.3f}"
    )
    print(
        f"FL / #anchors, 1000 easy negatives / 100000: "
        f"{per_anchor[0] / per_anchor[-1]:.0f}"
    )


if __name__ == "__main__":
    main()
