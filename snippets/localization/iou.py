"""Intersection over union of two boxes is the overlap area divided by the area
they cover together.

Everingham et al. 2010, "The PASCAL Visual Object Classes (VOC) Challenge" (IJCV
88); CS231n 2017 Lecture 11. Boxes are (x0, y0, x1, y1) with x1 > x0 and y1 >
y0.
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:iou]
def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """IoU of matching rows of a and b, both (N, 4) as (x0, y0, x1, y1)."""
    w = (
        torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])
    ).clamp(min=0)
    h = (
        torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])
    ).clamp(min=0)
    inter = w * h  # 0 when the boxes do not overlap
    area = lambda box: (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
    return inter / (area(a) + area(b) - inter)  # union counts the overlap once


# --8<-- [end:iou]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:cases]
    cases = {  # box a, box b, IoU worked out by hand
        "identical": ([0, 0, 4, 4], [0, 0, 4, 4], 1.0),
        "disjoint": ([0, 0, 2, 2], [5, 5, 7, 7], 0.0),
        "2x2 inside 4x4": ([1, 1, 3, 3], [0, 0, 4, 4], 4 / 16),
        "touching edges": ([0, 0, 2, 2], [2, 0, 4, 2], 0.0),
        "half shifted": (
            [0, 0, 4, 4],
            [2, 0, 6, 4],
            8 / 24,
        ),  # overlap 2x4 = 8, union 16 + 16 - 8
    }
    a = torch.tensor(
        [c[0] for c in cases.values()], dtype=torch.float32, device=device
    )
    b = torch.tensor(
        [c[1] for c in cases.values()], dtype=torch.float32, device=device
    )
    expected = torch.tensor([c[2] for c in cases.values()], device=device)
    got = box_iou(a, b)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(box_iou(b, a), got)  # symmetric
    # --8<-- [end:cases]
    # (x0, y0) <= (x1, y1)
    boxes = torch.rand(100, 2, 2, device=device).sort(1).values.reshape(100, 4)
    random_iou = box_iou(boxes, boxes.roll(1, 0))
    assert ((random_iou >= 0) & (random_iou <= 1)).all()
    for name, value in zip(cases, got.tolist()):
        print(f"IoU {name}: {value:.3f}")


if __name__ == "__main__":
    main()
