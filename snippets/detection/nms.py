"""Greedy non-maximum suppression keeps the best-scoring box and drops every
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
