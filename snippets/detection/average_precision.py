"""Average precision is the area under the detector's precision-recall curve
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
