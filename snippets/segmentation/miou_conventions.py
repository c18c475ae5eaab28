"""The same predictions give different mean IoUs depending on whether the
confusion matrix is summed over the data set or IoU is averaged per image, and
on which classes the mean runs over.

Long, Shelhamer & Darrell 2015, FCN (CVPR), Section 5 (mean IU over the classes,
from pixel counts summed over the test set); the PASCAL VOC 2012 devkit
documentation (segmentation accuracy).
"""

import os

import torch

from metrics import confusion_matrix, mean_iou, per_class_iou  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    # --8<-- [start:images]
    # image A: a big square (class 1) found well; image B: a tiny circle
    # (class 2) missed entirely, predicted as background
    tA, pA = (
        torch.zeros(8, 8, dtype=torch.long),
        torch.zeros(8, 8, dtype=torch.long),
    )
    tA[1:7, 1:7] = 1
    pA[1:7, 1:6] = 1  # 30 of 36 square pixels
    tB, pB = (
        torch.zeros(8, 8, dtype=torch.long),
        torch.zeros(8, 8, dtype=torch.long),
    )
    tB[3:5, 3:5] = 2  # 4 circle pixels, all missed
    cm = confusion_matrix(torch.stack([pA, pB]), torch.stack([tA, tB]), 4)
    # --8<-- [end:images]
    dataset = mean_iou(cm)  # classes present anywhere
    per_image = (
        mean_iou(confusion_matrix(pA, tA, 4))
        + mean_iou(confusion_matrix(pB, tB, 4))
    ) / 2
    iou = per_class_iou(cm)  # NaN for absent class 3
    all_zero = float(iou.nan_to_num(0.0).mean())  # absent class counts 0
    all_one = float(iou.nan_to_num(1.0).mean())  # absent class counts 1
    no_bg = float(iou[1:][~iou[1:].isnan()].mean())
    # independent route for the data-set number: by sets over both images
    t, p = torch.stack([tA, tB]), torch.stack([pA, pB])
    by_sets = [
        float(((p == c) & (t == c)).sum() / ((p == c) | (t == c)).sum())
        for c in (0, 1, 2)
    ]
    assert abs(dataset - sum(by_sets) / 3) < 1e-6
    values = [dataset, per_image, all_zero, all_one, no_bg]
    assert len({round(v, 3) for v in values}) == len(values)  # all differ
    print(f"data set, present classes: {dataset:.3f}")
    print(f"mean of per-image mean IoUs: {per_image:.3f}")
    print(f"all 4 classes, absent class = 0: {all_zero:.3f}")
    print(f"all 4 classes, absent class = 1: {all_one:.3f}")
    print(f"present classes without background: {no_bg:.3f}")


if __name__ == "__main__":
    main()
