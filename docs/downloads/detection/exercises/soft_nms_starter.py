# soft_nms.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/detection/exercises/soft_nms.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python soft_nms_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "85cb59cda40da2c63a02ffba68b380fcd4ed2bc371b86b0dedc5ae2097943756", "sources": {"snippets/detection/exercises/soft_nms.py": "1974116f6881f8ea558571c73a66569a5d24906c08070d734a67fda28aee9a93", "snippets/detection/nms.py": "46d6b8b3a4284069f848b6fb924bb8c2fd514da759f674b52eb1517931670d6d"}}


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


# --- the exercise, with the solution removed: snippets/detection/exercises/soft_nms.py ---
"""Exercise: Soft-NMS lowers the score of each box by exp(-IoU^2 / sigma) with
the box just selected, instead of deleting it: a duplicate sinks below a
neighbouring object that hard NMS at 0.3 would delete.

Bodla, Singh, Chellappa & Davis 2017, "Soft-NMS: Improving Object Detection
With One Line of Code" (ICCV): greedy NMS with the deletion replaced by the
Gaussian rescoring s_i <- s_i * exp(-iou(M, b_i)^2 / sigma). Boxes are
(x0, y0, x1, y1).
"""

import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nms import box_iou, nms  # (N, 4), (M, 4) -> (N, M); greedy NMS


def soft_nms(boxes: torch.Tensor, scores: torch.Tensor, sigma: float = 0.5):
    """Returns (indices in the order Soft-NMS selects them, the new score of
    every box, indexed like `scores`)."""
    # TODO: your answer here (see the exercise on the page)
    return scores.argsort(), scores.clone()


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # A: a person; B: a duplicate of A (IoU 9/11); C: the person next to A
    # (IoU 1/3 with A, 3/7 with B)
    boxes = torch.tensor(
        [[0.0, 0, 10, 10], [1, 0, 11, 10], [5, 0, 15, 10]], device=device
    )
    scores = torch.tensor([0.9, 0.8, 0.7], device=device)
    order, new = soft_nms(boxes, scores, sigma=0.5)
    g = lambda iou: math.exp(-(iou**2) / 0.5)  # worked out by hand
    c = 0.7 * g(1 / 3)  # C is selected second: 0.561 > B's 0.8 * g(9/11)
    expected = [0.9, 0.8 * g(9 / 11) * g(3 / 7), c]
    print(f"Soft-NMS order: {order.tolist()}")
    print(f"Soft-NMS scores A, B, C: {[round(s, 3) for s in new.tolist()]}")
    print(f"hard NMS at 0.3 keeps: {nms(boxes, scores, 0.3).tolist()}")

    # the checks a learner's answer must pass
    assert order.tolist() == [0, 2, 1], (
        "Soft-NMS ranks the neighbour C above the duplicate B"
    )
    assert torch.allclose(new, torch.tensor(expected, device=device)), (
        "the scores worked out by hand, each decayed by every box selected "
        "before it"
    )
    many = torch.rand(50, 2, device=device) * 40
    many = torch.cat(
        [many, many + 5 + 10 * torch.rand(50, 2, device=device)], 1
    )
    s = torch.rand(50, device=device)
    order, new = soft_nms(many, s, sigma=1e9)
    assert torch.equal(order, s.argsort(descending=True)), (
        "with a huge sigma nothing decays: the order of the scores"
    )
    _, new = soft_nms(many, s, sigma=0.5)
    assert (new <= s).all() and new.max() == s.max() and len(new) == 50, (
        "no box is deleted and no score grows; the best box keeps its score"
    )


if __name__ == "__main__":
    main()
