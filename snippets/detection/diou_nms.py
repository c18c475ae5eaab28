"""DIoU-NMS suppresses by IoU minus the normalised distance of the centres, so
a heavily overlapping neighbour whose centre lies elsewhere survives where plain
NMS deletes it, while a duplicate with nearly the same centre is still removed.

Zheng, Wang, Liu, Li, Ye & Ren 2020, "Distance-IoU Loss: Faster and Better
Learning for Bounding Box Regression" (AAAI): DIoU = IoU - rho^2(b, b') / c^2,
with rho the distance between the two centres and c the diagonal of the
smallest box enclosing both; "Non-Maximum Suppression using DIoU" (Eq. 13): a
box B_i is removed when IoU - R_DIoU(M, B_i) reaches the threshold (>=);
diou_nms below removes it only above (>), as plain NMS does here. The
authors' code adds an exponent beta on the penalty (beta = 1: the paper).
"""

import math
import os

import torch

from nms import box_iou, nms  # same folder: snippets/detection/nms.py

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:diou]
def centre_penalty(a, b, beta=1.0):
    """(N, 4), (M, 4) -> (N, M) (rho^2 / c^2)^beta: squared distance of the
    centres over the squared diagonal of the box enclosing both."""
    ca, cb = (a[:, :2] + a[:, 2:]) / 2, (b[:, :2] + b[:, 2:]) / 2
    rho2 = ((ca[:, None] - cb[None]) ** 2).sum(-1)
    lo = torch.minimum(a[:, None, :2], b[None, :, :2])  # enclosing box
    hi = torch.maximum(a[:, None, 2:], b[None, :, 2:])
    c2 = ((hi - lo) ** 2).sum(-1)
    return (rho2 / c2) ** beta


def diou_nms(boxes, scores, iou_threshold, beta=1.0):
    """Greedy NMS that deletes a box when IoU - penalty > threshold."""
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(best)
        rest = boxes[order[1:]]
        diou = (
            box_iou(boxes[best][None], rest)[0]
            - centre_penalty(boxes[best][None], rest, beta)[0]
        )
        order = order[1:][diou <= iou_threshold]  # near centres: deleted
    return torch.stack(keep) if keep else torch.zeros(0, dtype=torch.long)


# --8<-- [end:diou]


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    f64 = dict(dtype=torch.float64)
    # --8<-- [start:scene]
    # two people, one half behind the other: heavy overlap, other centres;
    # and a second, slightly worse detection of the first (a duplicate)
    a = torch.tensor([100.0, 50.0, 140.0, 90.0], **f64)
    b = a + torch.tensor([7.0, 7.0, 7.0, 7.0], **f64)  # the neighbour
    dup = a + torch.tensor([1.0, -1.0, 2.0, 0.0], **f64)  # the duplicate
    boxes = torch.stack([a, b, dup])
    scores = torch.tensor([0.9, 0.8, 0.85])
    plain = nms(boxes, scores, 0.5)  # nms.py: delete when IoU > 0.5
    distance = diou_nms(boxes, scores, 0.5)  # delete when DIoU > 0.5
    # --8<-- [end:scene]
    iou = box_iou(a[None], boxes[1:])[0]
    penalty = centre_penalty(a[None], boxes[1:])[0]
    # no decision hangs on rounding: every compared value clear of 0.5
    margin = float(torch.cat([iou, iou - penalty]).sub(0.5).abs().min())
    assert margin > 1e-3, margin
    assert plain.tolist() == [0], "plain NMS deletes the neighbour"
    assert distance.tolist() == [0, 1], (
        "DIoU-NMS keeps the neighbour and deletes the duplicate"
    )

    # random boxes: beta = inf leaves IoU alone (x ** inf = 0 for x < 1),
    # and DIoU-NMS is then plain NMS; with beta = 1 the kept boxes obey
    # the DIoU rule and every deleted box is covered by a better kept one
    n = 300
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * 60
    wh = 8 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 20
    rand_boxes = torch.cat([xy, xy + wh], 1)
    rand_scores = torch.rand(n, generator=gen)
    assert torch.equal(
        diou_nms(rand_boxes, rand_scores, 0.5, beta=math.inf),
        nms(rand_boxes, rand_scores, 0.5),
    ), "beta = inf is plain NMS"
    keep = diou_nms(rand_boxes, rand_scores, 0.5)
    d = box_iou(rand_boxes, rand_boxes) - centre_penalty(rand_boxes, rand_boxes)
    kept = torch.zeros(n, dtype=torch.bool)
    kept[keep] = True
    close = d > 0.5
    pairs = close[kept][:, kept] & ~torch.eye(len(keep), dtype=torch.bool)
    assert not pairs.any(), "no two kept boxes have DIoU > 0.5"
    higher = rand_scores[None, :] > rand_scores[:, None]
    covered = (close & higher & kept[None, :]).any(1)
    assert bool(covered[~kept].all()), "every deleted box has a better one"
    plain_keep = nms(rand_boxes, rand_scores, 0.5)

    print(
        f"IoU with the neighbour / the duplicate: {iou[0]:.3f} / {iou[1]:.3f}"
    )
    print(
        f"centre penalty rho^2/c^2, neighbour / duplicate: "
        f"{penalty[0]:.4f} / {penalty[1]:.4f}"
    )
    print(
        f"DIoU with the neighbour / the duplicate: "
        f"{iou[0] - penalty[0]:.3f} / {iou[1] - penalty[1]:.3f}"
    )
    name = lambda idx: ", ".join(["A", "B", "dup"][i] for i in idx)
    print(f"plain NMS at 0.5 keeps: {name(plain)}")
    print(f"DIoU-NMS at 0.5 keeps: {name(distance)}")
    print(
        f"random boxes kept, plain NMS / DIoU-NMS: "
        f"{len(plain_keep)} / {len(keep)} of {n}"
    )


if __name__ == "__main__":
    main()
