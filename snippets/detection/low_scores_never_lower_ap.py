"""Keeping detections that score below all the others never lowers AP, so
evaluation keeps the low-scoring boxes and a display threshold only lowers
the number.

Everingham et al. 2010, "The PASCAL Visual Object Classes (VOC) Challenge"
(IJCV 88): AP from the precision-recall curve over all the detections,
ranked by score. The proof is two lines: the new detections come
after the old ones, so the old points of the curve stay, the envelope
max_{r' >= r} p(r') can only rise, and the new recall steps add area.
"""

import os
import sys
from pathlib import Path

# average_precision.py is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

from average_precision import average_precision, average_precision_11pt

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
THRESHOLDS = (0.9, 0.7, 0.5, 0.3, 0.1, 0.05, 0.0)  # lowered step by step
TRIALS = 1000


# --8<-- [start:threshold]
def ap_above(scores, tp, num_gt, threshold, ap=average_precision) -> float:
    """AP of only the detections scoring at least `threshold`."""
    keep = scores >= threshold
    order = scores[keep].argsort(descending=True)
    return ap(tp[keep][order], num_gt)


# --8<-- [end:threshold]


def random_case(g):
    """Scores, TP flags (at most one TP per ground truth) and the number of
    ground truths of one class, at random."""
    num_gt = int(torch.randint(1, 15, (1,), generator=g))
    n = int(torch.randint(1, 40, (1,), generator=g))
    scores = torch.rand(n, generator=g)
    tp = torch.rand(n, generator=g) < torch.rand(1, generator=g)
    tp &= tp.cumsum(0) <= num_gt  # no more TPs than objects
    return scores, tp, num_gt


def main() -> None:
    g = torch.Generator().manual_seed(SEED)
    lowered = raised = 0
    for _ in range(TRIALS):
        scores, tp, num_gt = random_case(g)
        for ap in (average_precision, average_precision_11pt):
            aps = [ap_above(scores, tp, num_gt, t, ap) for t in THRESHOLDS]
            lowered += any(b < a - 1e-12 for a, b in zip(aps, aps[1:]))
        at_05 = ap_above(scores, tp, num_gt, 0.5)
        raised += ap_above(scores, tp, num_gt, 0.05) > at_05 + 1e-12
    assert lowered == 0, "lowering the threshold never lowers AP"
    assert raised > TRIALS // 4, "going from 0.5 to 0.05 raises AP often"
    print(f"random cases, each with all-point and 11-point AP: {TRIALS}")
    print(f"cases where a lower threshold lowered AP: {lowered}")
    share = raised / TRIALS
    print(f"share where 0.05 instead of 0.5 raised all-point AP: {share:.2f}")


if __name__ == "__main__":
    main()
