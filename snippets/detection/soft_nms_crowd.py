"""Soft-NMS ranks this crowd better than greedy NMS at 0.3 and at 0.7: on
pairs of people who overlap by different amounts, its AP@0.5 is above NMS at
0.7 and far above NMS at 0.3, and from sigma = 1 to 0.3 the stronger its
decay, the higher. This soft_nms keeps every box; the released code drops
those scoring under 0.001.

Bodla, Singh, Chellappa & Davis 2017, "Soft-NMS -- Improving Object Detection
With One Line of Code" (ICCV): greedy NMS, with the deletion of the boxes that
overlap the selected one M replaced by s_i <- s_i * exp(-iou(M, b_i)^2 / sigma).
Their released code (bharatsingh430/soft-nms, lib/nms/cpu_nms.pyx):
cpu_soft_nms(boxes, sigma=0.5, Nt=0.3, threshold=0.001, method=0), where
method 0 is plain NMS at Nt, 1 the linear variant, 2 the Gaussian. The
detections here are simulated, not a trained detector's: the scene is built so
that no one NMS threshold suits every pair.
"""

import os
import sys
from pathlib import Path

import torch

from average_precision import average_precision, match_detections
from nms import box_iou, nms  # same folder: snippets/detection/nms.py

# exercise 3 of the detection page: its solution is the Soft-NMS run here
sys.path.insert(0, str(Path(__file__).resolve().parent / "exercises"))
from soft_nms import soft_nms

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
PAIRS = 40
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)  # greedy NMS
SIGMAS = (0.3, 0.5, 1.0)  # Soft-NMS: the smaller, the stronger the decay
# spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
TOL = {0.3: 0.12, 0.4: 0.11, 0.5: 0.08, 0.6: 0.06, 0.7: 0.06}
TOL_FOUND = {0.3: 10, 0.4: 10, 0.5: 6, 0.6: 3, 0.7: 2}
TOL_SOFT = {0.3: 0.02, 0.5: 0.03, 1.0: 0.03}


# --8<-- [start:crowd]
def crowd(gen: torch.Generator) -> tuple:
    """PAIRS pairs of people (boxes 20 x 60 px; each pair 100 px right of and
    below the last); the second
    person of a pair stands 4 to 16 px right of the first (IoU 0.67 to 0.11).
    Each person is detected once well, with a score from 0.3 to 0.95, and once
    worse (a duplicate, jittered by 3 px instead of 1 px), scoring 0.6 to 1
    times the good detection."""
    f64 = dict(dtype=torch.float64)  # IoUs exact to ~1e-16, on any CPU
    person = torch.tensor([0.0, 0.0, 20.0, 60.0], **f64)
    right = torch.tensor([1.0, 0.0, 1.0, 0.0], **f64)
    gt, boxes, scores = [], [], []
    for i in range(PAIRS):
        shift = 4 + 12 * torch.rand((), generator=gen, **f64)
        pair = torch.stack([person, person + shift * right]) + 100 * i
        jitter = lambda s: s * torch.randn(2, 4, generator=gen, **f64)
        good = 0.3 + 0.65 * torch.rand(2, generator=gen, **f64)
        worse = good * (0.6 + 0.4 * torch.rand(2, generator=gen, **f64))
        gt.append(pair)
        boxes += [pair + jitter(1.0), pair + jitter(3.0)]
        scores += [good, worse]
    return torch.cat(gt), torch.cat(boxes), torch.cat(scores)


# --8<-- [end:crowd]


def ap50(boxes, scores, gt) -> tuple:
    """VOC's AP@0.5 for one class in one scene, and the people found."""
    one_image = torch.zeros(len(boxes), dtype=torch.long)
    _, tp = match_detections(
        boxes, scores, one_image, gt, torch.zeros(len(gt), dtype=torch.long)
    )
    return average_precision(tp, len(gt)), int(tp.sum())


def main() -> None:
    gt, boxes, scores = crowd(torch.Generator().manual_seed(SEED))
    # no count hangs on rounding: every IoU that NMS or the matching compares
    # with a threshold is clear of it
    for iou, thresholds in (
        (box_iou(boxes, boxes), THRESHOLDS),
        (box_iou(boxes, gt), (0.5,)),
    ):
        margin = min(float((iou - t).abs().min()) for t in thresholds)
        assert margin > 1e-9, margin

    # --8<-- [start:compare]
    hard = {}
    for t in THRESHOLDS:
        keep = nms(boxes, scores, t)  # the rest are deleted
        hard[t] = ap50(boxes[keep], scores[keep], gt)
    everything = ap50(boxes, scores, gt)  # no NMS at all
    soft = {}
    for sigma in SIGMAS:
        _, decayed = soft_nms(boxes, scores, sigma)  # every box stays
        soft[sigma] = ap50(boxes, decayed, gt)
    # --8<-- [end:compare]

    pairs = box_iou(gt[0::2], gt[1::2]).diagonal()
    # boxes come in fours: good A, good B, duplicate A, duplicate B
    good = torch.arange(len(boxes)).view(-1, 4)[:, :2]
    dup_iou = box_iou(boxes[good + 2].view(-1, 4), boxes[good].view(-1, 4))
    dup_iou = dup_iou.diagonal()  # each duplicate with its good detection
    neighbours = box_iou(boxes[good[:, 0]], boxes[good[:, 1]]).diagonal()
    print(f"people: {len(gt)} in {PAIRS} pairs, boxes: {len(boxes)}")
    print(f"IoU of the two people in a pair, smallest: {pairs.min():.2f} ±0.02")
    print(f"IoU of the two people in a pair, largest: {pairs.max():.2f} ±0.02")
    print(
        "IoU of a duplicate with its person's good detection, median: "
        f"{dup_iou.median():.2f} ±0.05"
    )
    print(
        "IoU of the good detections of a pair's two people, median: "
        f"{neighbours.median():.2f} ±0.18"
    )
    for t, (ap, found) in hard.items():
        print(f"NMS at {t}, AP@0.5: {ap:.3f} ±{TOL[t]}")
        print(f"NMS at {t}, people found: {found} ±{TOL_FOUND[t]} of {len(gt)}")
    kept = nms(boxes, scores, 0.7)
    duplicates = int((kept % 4 >= 2).sum())  # in each four, 2 and 3
    print(f"NMS at 0.7, duplicates kept: {duplicates} ±8 of {len(gt)}")
    print(f"no NMS, AP@0.5: {everything[0]:.3f} ±0.05")
    print(f"no NMS, people found: {everything[1]} of {len(gt)}")
    for sigma, (ap, _) in soft.items():
        print(f"Soft-NMS, sigma {sigma}, AP@0.5: {ap:.3f} ±{TOL_SOFT[sigma]}")
    found = min(found for _, found in soft.values())
    print(f"Soft-NMS, people found at every sigma: {found} of {len(gt)}")
    best = max(ap for ap, _ in hard.values())
    print(f"NMS at the best of the five thresholds, AP@0.5: {best:.3f} ±0.06")

    # --8<-- [start:check]
    assert dup_iou.min() < neighbours.max(), (
        "no threshold separates them: a duplicate overlaps its good detection "
        f"less than a pair's two good detections overlap {dup_iou} {neighbours}"
    )
    assert hard[0.3][1] < len(gt) - 10, f"NMS at 0.3 loses people {hard}"
    assert soft[0.5][0] > hard[0.7][0], (
        f"Soft-NMS beats NMS at 0.7, which keeps the duplicates {soft} {hard}"
    )
    assert soft[0.5][0] > hard[0.3][0] + 0.05, (
        f"Soft-NMS beats NMS at the released code's N_t = 0.3 {soft} {hard}"
    )
    assert found == everything[1] == len(gt), (
        f"Soft-NMS, like no NMS at all, finds every person {soft}"
    )
    ap = [soft[sigma][0] for sigma in SIGMAS]  # sigma from small to large
    assert all(a > b for a, b in zip(ap, ap[1:])), (
        f"the stronger the decay, the higher the AP on this scene {soft}"
    )
    # --8<-- [end:check]


if __name__ == "__main__":
    main()
