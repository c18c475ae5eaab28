"""The NMS IoU threshold trades duplicates against crowded objects: a low
threshold deletes a real neighbour, a high one keeps duplicates.

Girshick, Donahue, Darrell & Malik 2014, R-CNN (CVPR), Section 2.2 (greedy NMS
with a learned threshold); Bodla, Singh, Chellappa & Davis 2017, "Soft-NMS"
(ICCV): overlapping objects lost to NMS.
"""

import os

import torch

from nms import box_iou, nms  # same folder: snippets/detection/nms.py

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    # --8<-- [start:crowd]
    # a crowd: 20 pairs of people standing so close that their boxes overlap
    # (IoU 0.5); each person is detected well once and once more, worse
    f64 = dict(dtype=torch.float64)  # IoUs exact to ~1e-16, on any CPU
    person = torch.tensor([0.0, 0.0, 20.0, 60.0], **f64)
    pair = torch.stack([person, person + torch.tensor([6.7, 0, 6.7, 0], **f64)])
    gt, boxes, scores = [], [], []
    for i in range(20):
        g = pair + 100 * i  # pairs far apart
        jitter = lambda s: s * torch.randn(2, 4, generator=gen, **f64)
        gt.append(g)
        boxes += [g + jitter(0.5), g + jitter(3.0)]  # good, duplicate
        scores += [
            0.8 + 0.1 * torch.rand(2, generator=gen),
            0.5 + 0.1 * torch.rand(2, generator=gen),
        ]
    gt, boxes, scores = torch.cat(gt), torch.cat(boxes), torch.cat(scores)
    # --8<-- [end:crowd]
    print(
        f"IoU of the two people in a pair: "
        f"{float(box_iou(pair[:1], pair[1:])):.2f}"
    )
    # no count hangs on rounding: every IoU NMS or the matching compares is
    # clear of its thresholds
    checks = [
        (box_iou(boxes, boxes), (0.3, 0.4, 0.5, 0.6, 0.7)),  # NMS
        (box_iou(boxes, gt), (0.5,)),  # a person found
    ]
    for iou, thresholds in checks:
        margin = min(float((iou - t).abs().min()) for t in thresholds)
        assert margin > 1e-9, margin
    found = {}
    for t in (0.3, 0.4, 0.5, 0.6, 0.7):
        keep = nms(boxes, scores, t)
        best_iou, best = box_iou(boxes[keep], gt).max(1)  # each box's person
        claimed = best[best_iou >= 0.5].tolist()
        n_found = len(set(claimed))
        dup = len(claimed) - n_found  # 2nd box, same person
        found[t] = (n_found, dup)
        print(
            f"NMS threshold {t}: people found {n_found} of {len(gt)}, "
            f"kept boxes {len(keep)}, duplicates {dup}"
        )
    assert found[0.3][0] < found[0.7][0]  # low threshold loses people
    assert found[0.7][1] > found[0.3][1]  # high threshold keeps dups


if __name__ == "__main__":
    main()
