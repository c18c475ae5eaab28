"""The same detections get different AP under VOC 2007 (11-point), VOC 2010+
(all-point) and COCO's interpolation (101-point, IoU 0.50:0.95), and cutting
low scores before evaluation lowers AP. Every variant here uses VOC's matching
(a detection whose best ground truth is taken is a false positive); COCO's own
code (pycocotools) matches a detection to the best ground truth not yet taken.

Everingham et al. 2010, "The PASCAL VOC Challenge" (IJCV) (11-point AP); the VOC
2012 devkit documentation (all-point AP); Lin et al. 2014, "Microsoft COCO"
(ECCV) and the COCO detection evaluation page (AP averaged over IoU
0.50:0.05:0.95, 101 recall points).
"""

import os

import torch

# same folder
from average_precision import (
    average_precision,
    average_precision_11pt,
    match_detections,
)
from nms import box_iou  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:coco]
def average_precision_101pt(tp: torch.Tensor, num_gt: int) -> float:
    """COCO's interpolation: mean interpolated precision at recall
    0, 0.01, ..., 1. The matching is still VOC's (match_detections): COCO
    matches a detection to the best *unmatched* ground truth instead."""
    tp = tp.double()
    recall = tp.cumsum(0) / num_gt
    precision = tp.cumsum(0) / torch.arange(1, len(tp) + 1)
    return (
        sum(
            float(precision[recall >= r].max()) if (recall >= r).any() else 0.0
            for r in [i / 100 for i in range(101)]  # exact, on every CPU
        )
        / 101
    )


# --8<-- [end:coco]


def synthetic_detections(gen, n_img=200):
    """One object per 64x64 image; a jittered detection of most objects, some
    duplicates, and background false positives, with overlapping scores."""
    xy = torch.rand(n_img, 2, generator=gen, dtype=torch.float64) * 34
    gt = torch.cat(
        [
            xy,
            xy
            + 10
            + torch.rand(n_img, 2, generator=gen, dtype=torch.float64) * 20,
        ],
        1,
    )
    noise = lambda n, s: (
        s * torch.randn(n, 4, generator=gen, dtype=torch.float64)
    )
    size = (gt[:, 2:] - gt[:, :2]).repeat(1, 2)
    found = torch.rand(n_img, generator=gen) < 0.9
    hits = gt[found] + noise(int(found.sum()), 0.08) * size[found]
    dups = gt[:60] + noise(60, 0.25) * size[:60]
    fps = torch.rand(80, 4, generator=gen, dtype=torch.float64) * 40
    fps[:, 2:] = fps[:, :2] + 8 + fps[:, 2:] / 2
    boxes = torch.cat([hits, dups, fps])
    images = torch.cat(
        [
            torch.nonzero(found).flatten(),
            torch.arange(60),
            torch.randint(0, n_img, (80,), generator=gen),
        ]
    )
    mean = torch.cat(
        [torch.full((len(hits),), 0.7), torch.full((140,), 0.35)]
    ).double()
    scores = (
        mean
        + 0.15 * torch.randn(len(boxes), generator=gen, dtype=torch.float64)
    ).clamp(0.01, 0.99)
    return boxes, scores, images, gt, torch.arange(n_img)


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    boxes, scores, images, gt, gt_images = synthetic_detections(gen)
    # --8<-- [start:protocols]
    tp = lambda t, keep=slice(None): match_detections(
        boxes[keep], scores[keep], images[keep], gt, gt_images, t
    )[1]
    ap101 = average_precision_101pt  # COCO's 101 recall points
    res = {
        "VOC 2007 11-point AP@0.5": average_precision_11pt(tp(0.5), len(gt)),
        "VOC 2010+ all-point AP@0.5": average_precision(tp(0.5), len(gt)),
        "101-point AP@0.5 (COCO's interpolation), VOC matching": ap101(
            tp(0.5), len(gt)
        ),
        "AP@[.5:.95] (COCO's thresholds), 101-point, VOC matching": sum(
            ap101(tp(t), len(gt)) for t in [0.5 + 0.05 * i for i in range(10)]
        )
        / 10,
        "all-point AP@0.5, scores >= 0.5 only": average_precision(
            tp(0.5, scores >= 0.5), len(gt)
        ),
    }
    # --8<-- [end:protocols]
    # no match hangs on float rounding (~1e-16 here): every IoU of a detection
    # with its image's ground truth is clear of every threshold
    iou = box_iou(boxes, gt)[images[:, None] == gt_images[None, :]]
    thresholds = [0.5 + 0.05 * i for i in range(10)]
    margin = min(float((iou - t).abs().min()) for t in thresholds)
    assert margin > 1e-9, margin
    for k, v in res.items():
        print(f"{k}: {v:.3f}")
    assert (
        res["AP@[.5:.95] (COCO's thresholds), 101-point, VOC matching"]
        < res["VOC 2010+ all-point AP@0.5"] - 0.1
    ), "averaging over IoU 0.50:0.95 lowers AP by more than 0.1"
    assert (
        res["all-point AP@0.5, scores >= 0.5 only"]
        < res["VOC 2010+ all-point AP@0.5"] - 0.01
    ), "dropping scores under 0.5 lowers AP"
    assert len({round(v, 3) for v in list(res.values())[:3]}) > 1, (
        "the three AP@0.5 interpolations do not all agree"
    )


if __name__ == "__main__":
    main()
