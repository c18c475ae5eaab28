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
        # BEGIN SOLUTION (starter: best = -1)
        free = ~taken[same_image] & (ious >= iou_threshold)
        best = int(same_image[free][ious[free].argmax()]) if free.any() else -1
        # END SOLUTION
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
