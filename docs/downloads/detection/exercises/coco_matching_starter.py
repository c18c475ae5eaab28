# coco_matching.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/detection/exercises/coco_matching.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python coco_matching_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "531f19f2bcd81c1d5bee2cd76d2d1768327ab9bd2068234f1d19aa226b2e5c55", "sources": {"snippets/detection/average_precision.py": "4e406a22c747cb237d946a5c1a951f62dba8a061da3bbb0fc91d02854b538cca", "snippets/detection/exercises/coco_matching.py": "e1d42b87219bbd38046f3e59b5482ae7129ced4b48b6540dd88ad9be8d9e40ec", "snippets/detection/nms.py": "46d6b8b3a4284069f848b6fb924bb8c2fd514da759f674b52eb1517931670d6d"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/detection/nms.py
_add_module('nms', r'''"""Greedy non-maximum suppression keeps the best-scoring box and drops every
same-class box overlapping it by IoU > t.

Girshick et al. 2014, "Rich feature hierarchies for accurate object detection
and semantic segmentation" (R-CNN, CVPR), Section 2.2: "greedy non-maximum
suppression (for each class independently) that rejects a region if it has an
intersection-over-union (IoU) overlap with a higher scoring selected region
larger than a learned threshold". The same step follows YOLO (Redmon et al.
2016) and SSD (Liu et al. 2016).
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:iou]
def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """boxes: (N, 4) as (x0, y0, x1, y1), x1/y1 exclusive pixel coordinates ->
    (N,) areas."""
    return (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (
        boxes[:, 3] - boxes[:, 1]
    ).clamp(min=0)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, 4), (M, 4) -> (N, M) intersection over union of every pair."""
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])  # (N, M, 2)
    wh = (bottom_right - top_left).clamp(min=0)  # 0 where the boxes do not meet
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return inter / union.clamp(min=1e-9)


# --8<-- [end:iou]


# --8<-- [start:nms]
def nms(
    boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """Greedy NMS for one class: indices of the kept boxes, highest score
    first."""
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(best)  # the best remaining box survives
        ious = box_iou(boxes[best][None], boxes[order[1:]])[0]
        # drop boxes overlapping it by > threshold
        order = order[1:][ious <= iou_threshold]
    return (
        torch.stack(keep)
        if keep
        else torch.zeros(0, dtype=torch.long, device=boxes.device)
    )


def batched_nms(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    iou_threshold: float,
) -> torch.Tensor:
    """NMS for each class on its own: a box never suppresses a box of another
    class."""
    keep = [
        idx[nms(boxes[idx], scores[idx], iou_threshold)]
        for idx in (
            torch.nonzero(labels == c).flatten() for c in labels.unique()
        )
    ]
    if not keep:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    keep = torch.cat(keep)
    # all classes, highest score first
    return keep[scores[keep].argsort(descending=True)]


# --8<-- [end:nms]


def batched_nms_offset(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    iou_threshold: float,
) -> torch.Tensor:
    """Second route: shift each class's boxes far apart, then run one
    class-blind NMS."""
    shift = (boxes.max() + 1) * labels.to(boxes.dtype)
    return nms(boxes + shift[:, None], scores, iou_threshold)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    box = lambda *rows: torch.tensor(rows, dtype=torch.float32, device=device)
    vec = lambda *vals: torch.tensor(vals, device=device)

    # --8<-- [start:cases]
    # 1. two heavily overlapping boxes (IoU = 81/119 = 0.68): only the higher
    # score survives
    b = box([1, 1, 11, 11], [0, 0, 10, 10])
    assert abs(box_iou(b[:1], b[1:]).item() - 81 / 119) < 1e-6
    assert nms(b, vec(0.8, 0.9), 0.5).tolist() == [1]
    # 2. disjoint boxes (IoU = 0): both survive, best first
    b = box([0, 0, 10, 10], [20, 20, 30, 30])
    assert nms(b, vec(0.6, 0.7), 0.5).tolist() == [1, 0]
    # 3. the boundary: IoU exactly 0.5 (8 px shared of 16 px) is kept at t =
    # 0.5, dropped at t = 0.49
    b = box([0, 0, 4, 4], [0, 0, 4, 2])
    assert box_iou(b[:1], b[1:]).item() == 0.5
    # suppression needs IoU > t
    assert nms(b, vec(0.9, 0.8), 0.5).tolist() == [0, 1]
    assert nms(b, vec(0.9, 0.8), 0.49).tolist() == [0]
    # 4. empty input: nothing to keep
    assert (
        nms(
            torch.zeros(0, 4, device=device), torch.zeros(0, device=device), 0.5
        ).numel()
        == 0
    )
    # 5. greedy chain A-B-C (IoU(A,B) = IoU(B,C) = 1/3, IoU(A,C) = 0): B goes,
    # so C stays
    b = box([0, 0, 10, 10], [5, 0, 15, 10], [10, 0, 20, 10])
    assert nms(b, vec(0.9, 0.8, 0.7), 0.3).tolist() == [0, 2]
    # 6. per class: the same two overlapping boxes of different classes both
    # survive
    b = box([0, 0, 10, 10], [1, 1, 11, 11])
    assert batched_nms(b, vec(0.9, 0.8), vec(0, 1), 0.5).tolist() == [0, 1]
    assert batched_nms(b, vec(0.9, 0.8), vec(2, 2), 0.5).tolist() == [0]
    # --8<-- [end:cases]

    # random boxes: both per-class routes agree, and the kept set has the two
    # NMS properties
    n = 300
    xy = torch.rand(n, 2, device=device) * 40
    wh = 4 + torch.rand(n, 2, device=device) * 12
    boxes, scores = (
        torch.cat([xy, xy + wh], 1).round(),
        torch.rand(n, device=device),
    )
    labels = torch.randint(0, 3, (n,), device=device)
    keep = batched_nms(boxes, scores, labels, 0.5)
    assert torch.equal(keep, batched_nms_offset(boxes, scores, labels, 0.5)), (
        "the per-class loop agrees with the offset trick"
    )
    iou = box_iou(boxes, boxes)
    same = labels[:, None] == labels[None, :]
    kept = torch.zeros(n, dtype=torch.bool, device=device)
    kept[keep] = True
    overlap = (iou > 0.5) & same
    pair_kept = overlap[kept][:, kept]
    # no kept pair overlaps
    assert not (
        pair_kept & ~torch.eye(len(keep), dtype=torch.bool, device=device)
    ).any(), "no two kept boxes of a class overlap by more than t"
    # [i, j]: box j scores higher than box i
    higher = scores[None, :] > scores[:, None]
    # some kept, better, same-class box overlaps i
    covered = (overlap & higher & kept[None, :]).any(1)
    assert bool(covered[~kept].all()), (
        "every deleted box overlaps a better kept one"
    )

    print("overlapping pair (IoU 0.68) at t=0.5: keeps 1 of 2")
    print("IoU exactly 0.5 at t=0.5: keeps 2 of 2")
    print("chain A-B-C (IoU 1/3 each step) at t=0.3: keeps A and C")
    print(f"random boxes kept by per-class NMS: {len(keep)} of {n}")


if __name__ == "__main__":
    main()
''')


# snippets/detection/average_precision.py
_add_module('average_precision', r'''"""Average precision is the area under the detector's precision-recall curve
after making precision monotone.

Everingham et al. 2010, "The PASCAL Visual Object Classes (VOC) Challenge" (IJCV
88): a detection is correct if its IoU with a ground-truth box of its class
exceeds 50 %, a second detection of the same object is a false positive, and AP
averages the interpolated precision at 11 recall levels. From VOC 2010 on, the
development kit integrates the monotone precision envelope at every recall step
(all-point interpolation).
"""

import os
import torch

# same folder: one IoU for NMS, evaluation and the detector
from nms import box_iou

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:match]
def match_detections(
    det_boxes, det_scores, det_images, gt_boxes, gt_images, iou_threshold=0.5
):
    """One class. Detections in score order claim the ground truth (GT) they
    overlap most, in the same image; a detection is a true positive if that IoU
    >= threshold and the GT is not taken yet. Returns (scores sorted high to
    low, is-true-positive flags in that order)."""
    order = det_scores.argsort(descending=True)
    taken = torch.zeros(len(gt_boxes), dtype=torch.bool)
    tp = torch.zeros(len(order), dtype=torch.bool)
    for rank, d in enumerate(order.tolist()):
        same_image = torch.nonzero(gt_images == det_images[d]).flatten()
        if same_image.numel() == 0:
            continue  # nothing to find here: false positive
        ious = box_iou(det_boxes[d][None], gt_boxes[same_image])[0]
        best = same_image[ious.argmax()]
        if ious.max() >= iou_threshold and not taken[best]:
            taken[best] = True  # each GT is matched at most once
            tp[rank] = True  # a second hit on it is a false positive
    return det_scores[order], tp


# --8<-- [end:match]


# --8<-- [start:ap]
def average_precision(tp: torch.Tensor, num_gt: int) -> float:
    """All-point interpolated AP (VOC 2010+) from TP flags sorted by descending
    score."""
    tp = tp.double()
    recall = tp.cumsum(0) / num_gt  # recall after each detection
    # precision after each detection
    precision = tp.cumsum(0) / torch.arange(1, len(tp) + 1)
    recall = torch.cat([torch.zeros(1), recall])
    precision = torch.cat([torch.ones(1), precision])
    # best precision at this recall or beyond
    envelope = precision.flip(0).cummax(0).values.flip(0)
    # rectangles under the envelope
    return float(((recall[1:] - recall[:-1]) * envelope[1:]).sum())


def average_precision_11pt(tp: torch.Tensor, num_gt: int) -> float:
    """VOC 2007: mean of the best precision at recall >= 0, 0.1, ..., 1.0."""
    tp = tp.double()
    recall = tp.cumsum(0) / num_gt
    precision = tp.cumsum(0) / torch.arange(1, len(tp) + 1)
    return (
        sum(
            float(precision[recall >= t].max()) if (recall >= t).any() else 0.0
            for t in [i / 10 for i in range(11)]  # exact: 0.1 is 0.1
        )
        / 11
    )


# --8<-- [end:ap]


# --8<-- [start:map]
def mean_average_precision(preds, gts, num_classes, iou_threshold=0.5):
    """preds: per image (boxes (k,4), scores (k,), labels (k,)); gts: per image
    (boxes (m,4), labels (m,)). Returns (AP per class, mAP over the classes that
    have ground truth)."""
    aps = []
    for c in range(num_classes):
        det = [
            (b[l == c], s[l == c], torch.full(((l == c).sum(),), i))
            for i, (b, s, l) in enumerate(preds)
        ]
        gt = [
            (b[l == c], torch.full(((l == c).sum(),), i))
            for i, (b, l) in enumerate(gts)
        ]
        gt_boxes, gt_images = (
            torch.cat([g[0] for g in gt]),
            torch.cat([g[1] for g in gt]),
        )
        if len(gt_boxes) == 0:
            aps.append(float("nan"))  # class absent: left out of the mean
            continue
        _, tp = match_detections(
            torch.cat([d[0] for d in det]),
            torch.cat([d[1] for d in det]),
            torch.cat([d[2] for d in det]),
            gt_boxes,
            gt_images,
            iou_threshold,
        )
        aps.append(average_precision(tp, len(gt_boxes)))
    ap = torch.tensor(aps, dtype=torch.float64)
    return aps, float(ap[~ap.isnan()].mean())


# --8<-- [end:map]


def main() -> None:
    torch.manual_seed(SEED)
    # AP is bookkeeping over a few boxes: it runs on the CPU whatever device
    # trained the detector
    # --8<-- [start:example]
    # 3 ground-truth boxes of one class in 2 images, 4 detections.
    gt_boxes = torch.tensor(
        [
            [0.0, 0.0, 10.0, 10.0],
            [20.0, 20.0, 30.0, 30.0],
            [0.0, 0.0, 10.0, 10.0],
        ]
    )
    gt_images = torch.tensor([0, 0, 1])  # g1, g2 in image 0; g3 in image 1
    det_boxes = torch.tensor(
        [
            [1.0, 0.0, 11.0, 10.0],  # d1 0.9 on g1, IoU 90/110 = 0.82 -> TP
            [0.0, 1.0, 10.0, 11.0],  # d2 0.8 on g1 again (already taken) -> FP
            [0.0, 0.0, 10.0, 9.0],  # d3 0.7 on g3, IoU 0.9 -> TP
            [24.0, 20.0, 34.0, 30.0],  # d4 0.6 on g2, IoU 60/140 = 0.43: FP
        ]
    )
    det_scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    det_images = torch.tensor([0, 0, 1, 0])
    scores, tp = match_detections(
        det_boxes, det_scores, det_images, gt_boxes, gt_images
    )
    # By hand, in score order:   d1   d2   d3   d4
    #   TP so far                 1    1    2    2
    # recall = TP / 3          1/3  1/3  2/3  2/3   (g2 is never found: recall
    # stops at 2/3)
    #   precision = TP / rank     1   1/2  2/3  1/2
    #   envelope (max to right)   1   2/3  2/3  1/2
    # AP = (1/3 - 0) * 1 + (2/3 - 1/3) * 2/3 = 1/3 + 2/9 = 5/9 = 0.5556
    # 11-point: recall >= 0, .1, .2, .3 -> 1; >= .4, .5, .6 -> 2/3; >= .7 ...
    # 1.0 -> 0: (4 + 2) / 11 = 0.5455
    # --8<-- [end:example]
    assert tp.tolist() == [True, False, True, False], tp
    ap, ap11 = average_precision(tp, 3), average_precision_11pt(tp, 3)
    assert abs(ap - 5 / 9) < 1e-9, ap
    assert abs(ap11 - 6 / 11) < 1e-9, ap11
    # perfect ranking
    assert average_precision(torch.tensor([True, True, True]), 3) == 1.0
    # one FP ranked first
    assert abs(average_precision(torch.tensor([False, True]), 1) - 0.5) < 1e-9

    # the same example through the per-class mAP route, with a second class that
    # is found perfectly
    preds = [
        (
            torch.cat([det_boxes[[0, 1, 3]], gt_boxes[1:2]]),
            torch.tensor([0.9, 0.8, 0.6, 0.5]),
            torch.tensor([0, 0, 0, 1]),
        ),
        (det_boxes[2:3], torch.tensor([0.7]), torch.tensor([0])),
    ]
    gts = [
        (torch.cat([gt_boxes[:2], gt_boxes[1:2]]), torch.tensor([0, 0, 1])),
        (gt_boxes[2:], torch.tensor([0])),
    ]
    aps, m = mean_average_precision(preds, gts, num_classes=3)
    # class 2 absent: NaN
    assert abs(aps[0] - 5 / 9) < 1e-9 and aps[1] == 1.0 and aps[2] != aps[2]
    assert abs(m - (5 / 9 + 1) / 2) < 1e-9, m

    print(f"true positives in score order: {tp.int().tolist()}")
    print(f"AP all-point (by hand 5/9): {ap:.4f}")
    print(f"AP 11-point (by hand 6/11): {ap11:.4f}")
    print(f"mAP over 2 classes with ground truth: {m:.4f}")


if __name__ == "__main__":
    main()
''')


# --- the exercise, with the solution removed: snippets/detection/exercises/coco_matching.py ---
"""Exercise: COCO's matching gives a detection whose best ground-truth box is
already taken to the best box still free, where VOC's counts it as a false
positive.

pycocotools, cocoeval.py, COCOeval.evaluateImg: in score order, each detection
takes the not yet matched ground truth with the highest IoU, if that IoU is at
least the threshold. VOC (Everingham et al. 2010, IJCV: overlap over 50 %, a
second detection of a box is a false positive; the devkit's VOCevaldet.m
picks the box): a detection is matched to the box it overlaps most, and
counts as a false positive if that box is taken. Boxes are (x0, y0, x1, y1),
one class.
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from average_precision import match_detections  # the VOC rule
from nms import box_iou  # (N, 4), (M, 4) -> (N, M)


def match_coco(
    det_boxes, det_scores, det_images, gt_boxes, gt_images, iou_threshold=0.5
):
    """Returns (scores high to low, is-true-positive flags, index of the
    ground-truth box each detection took or -1), in score order."""
    order = det_scores.argsort(descending=True)
    taken = torch.zeros(len(gt_boxes), dtype=torch.bool)
    assigned = torch.full((len(order),), -1)
    for rank, d in enumerate(order.tolist()):
        same_image = torch.nonzero(gt_images == det_images[d]).flatten()
        ious = box_iou(det_boxes[d][None], gt_boxes[same_image])[0]
        # TODO: your answer here (see the exercise on the page)
        best = -1
        if best >= 0:
            taken[best] = True
            assigned[rank] = best
    return det_scores[order], assigned >= 0, assigned


def main() -> None:
    torch.manual_seed(0)
    # two people side by side (IoU 1/3); one detection fits the left one, a
    # second one sits between them: IoU 2/3 with the left, 7/13 with the right
    gt = torch.tensor([[0.0, 0, 10, 10], [5, 0, 15, 10]])
    det = torch.tensor([[0.0, 0, 10, 10], [2, 0, 12, 10]])
    scores, one_image = torch.tensor([0.9, 0.8]), torch.zeros(2)
    _, voc = match_detections(det, scores, one_image, gt, torch.zeros(2))
    _, coco, took = match_coco(det, scores, one_image, gt, torch.zeros(2))
    print(f"VOC rule, true positives: {voc.tolist()}")
    print(f"COCO rule, true positives: {coco.tolist()}")

    # the checks a learner's answer must pass
    assert voc.tolist() == [True, False], "VOC: the second detection is a FP"
    assert coco.tolist() == [True, True] and took.tolist() == [0, 1], (
        "COCO: the second detection takes the free box on the right"
    )
    # random scenes: replay the rule and check every decision
    gen = torch.Generator().manual_seed(0)
    corner = torch.randint(0, 40, (60, 2), generator=gen).float()
    gt = torch.cat([corner, corner + 12], 1)
    gt_images = torch.arange(60) // 4  # 15 images, 4 boxes each
    pick = torch.randint(0, 60, (150,), generator=gen)
    det = gt[pick] + 4 * torch.randn(150, 4, generator=gen)
    det_images, det_scores = gt_images[pick], torch.rand(150, generator=gen)
    _, tp, took = match_coco(det, det_scores, det_images, gt, gt_images)
    order = det_scores.argsort(descending=True)
    taken, rule_kept = torch.zeros(60, dtype=torch.bool), True
    for rank, d in enumerate(order.tolist()):
        ious = box_iou(det[d][None], gt)[0]
        free = (gt_images == det_images[d]) & ~taken & (ious >= 0.5)
        best = int(torch.where(free, ious, -1.0).argmax()) if free.any() else -1
        rule_kept &= int(took[rank]) == best
        if best >= 0:
            taken[best] = True
    assert rule_kept, (
        "each detection takes the free box of its image it overlaps most, "
        "at IoU >= 0.5, or none"
    )
    assert torch.equal(tp, took >= 0), "a TP is a detection that took a box"
    _, voc_tp = match_detections(det, det_scores, det_images, gt, gt_images)
    print(
        f"random scenes, true positives VOC / COCO: {int(voc_tp.sum())} / "
        f"{int(tp.sum())} of {len(det)} detections"
    )


if __name__ == "__main__":
    main()
