"""Class-blind NMS lets a confident box of one class delete an overlapping
object of another class; per-class NMS keeps both.

Girshick, Donahue, Darrell & Malik 2014, R-CNN (CVPR), Section 2.2: greedy NMS
"for each class independently".
"""

import os

import torch

# same folder: snippets/detection/nms.py
from nms import batched_nms, box_iou, nms

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    # --8<-- [start:scene]
    # a rider (class 0) on a bicycle (class 1): two objects that overlap
    boxes = torch.tensor(
        [
            [10.0, 0.0, 30.0, 40.0],  # rider, 0.95
            [11.0, 1.0, 31.0, 41.0],  # rider again, 0.80 (duplicate)
            [8.0, 12.0, 32.0, 44.0],  # bicycle, 0.90
            [9.0, 12.0, 33.0, 45.0],  # bicycle again, 0.60 (duplicate)
        ]
    )
    scores = torch.tensor([0.95, 0.80, 0.90, 0.60])
    labels = torch.tensor([0, 0, 1, 1])
    blind = nms(boxes, scores, 0.5)  # all classes at once
    per_class = batched_nms(boxes, scores, labels, 0.5)
    # --8<-- [end:scene]
    rider_bike_iou = float(box_iou(boxes[:1], boxes[2:3]))
    assert rider_bike_iou > 0.5
    assert sorted(blind.tolist()) == [0]  # the bicycle is gone
    assert sorted(per_class.tolist()) == [0, 2]  # one box per object
    print(f"IoU rider / bicycle: {rider_bike_iou:.2f}")
    print(f"class-blind NMS at 0.5 keeps boxes: {sorted(blind.tolist())}")
    print(f"per-class NMS at 0.5 keeps boxes: {sorted(per_class.tolist())}")


if __name__ == "__main__":
    main()
