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
    # BEGIN SOLUTION (starter: return scores.argsort(), scores.clone())
    scores = scores.clone()
    left = torch.ones(len(scores), dtype=torch.bool, device=scores.device)
    order = []
    while left.any():
        best = int(torch.where(left, scores, -math.inf).argmax())
        order.append(best)  # the best box left is selected as it is
        left[best] = False
        iou = box_iou(boxes[best][None], boxes)[0]
        decay = torch.exp(-(iou**2) / sigma)
        scores = torch.where(left, scores * decay, scores)  # only the rest
    return torch.tensor(order, device=scores.device), scores
    # END SOLUTION


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
