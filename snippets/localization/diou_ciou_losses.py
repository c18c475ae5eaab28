"""DIoU adds the distance of the centres to 1 - IoU, CIoU adds a term for the
aspect ratio on top. For a box inside its target 1 - GIoU equals 1 - IoU and
neither moves the box's centre; DIoU does. Fitting boxes, CIoU matches the
targets' aspect ratios more closely than DIoU.

Zheng, Wang, Liu, Li, Ye & Ren 2020, "Distance-IoU Loss: Faster and Better
Learning for Bounding Box Regression" (AAAI), Sections "Distance-IoU Loss" and
"Complete IoU Loss"; torchvision.ops.complete_box_iou_loss computes alpha
without gradient, as here.
"""

import math
import os

import torch

from box_loss_training import box_pairs, decode, fit  # same folder
from box_losses import iou_and_giou

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def diou_loss(a, b):
    """(N, 4), (N, 4) -> (N,) 1 - IoU + rho^2 / c^2 of matching rows."""
    iou = iou_and_giou(a, b)[0]
    centre = lambda box: (box[:, :2] + box[:, 2:]) / 2
    rho2 = ((centre(a) - centre(b)) ** 2).sum(1)
    enclosing = torch.maximum(a[:, 2:], b[:, 2:]) - torch.minimum(
        a[:, :2], b[:, :2]
    )
    return 1 - iou + rho2 / (enclosing**2).sum(1)


# --8<-- [start:ciou]
def aspect_term(a, b):
    """v: how far the aspect ratio of a is from that of b, 0 to 1."""
    w, h = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    wt, ht = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    return (4 / math.pi**2) * (torch.atan(wt / ht) - torch.atan(w / h)) ** 2


def ciou_loss(a, b, eps=1e-7):
    """DIoU loss + alpha * v; alpha weighs v by how well the boxes overlap."""
    v = aspect_term(a, b)
    with torch.no_grad():  # a weight, not a path for the gradient
        alpha = v / ((1 - iou_and_giou(a, b)[0]) + v + eps)
    return diou_loss(a, b) + alpha * v


# --8<-- [end:ciou]


def aspect_error(boxes, target):
    """Mean |atan(w/h) - atan(w_t/h_t)| in degrees."""
    return math.degrees(
        float(aspect_term(boxes, target).sqrt().mean()) * math.pi / 2
    )


def main() -> None:
    f64 = dict(dtype=torch.float64)
    # --8<-- [start:enclosed]
    # a 2x2 box inside a 4x4 target: centred, shifted 0.5 left, shifted 0.5
    # left and 0.5 up. IoU is 4/16 at all three; rho^2 is 0, 0.25, 0.5 and
    # the enclosing box is the target (c^2 = 32): DIoU adds 0, 1/128, 1/64.
    target = torch.tensor([[0.0, 0, 4, 4]] * 3, **f64)
    inside = torch.tensor(
        [[1.0, 1, 3, 3], [0.5, 1, 2.5, 3], [0.5, 0.5, 2.5, 2.5]], **f64
    )
    iou, giou = iou_and_giou(inside, target)
    # --8<-- [end:enclosed]
    print(f"enclosed box, 1 - IoU: {(1 - iou).tolist()}")
    print(f"enclosed box, 1 - GIoU: {(1 - giou).tolist()}")
    print(f"enclosed box, DIoU loss: {diou_loss(inside, target).tolist()}")
    assert torch.equal(iou, giou), (
        "1 - GIoU equals 1 - IoU for a box inside its target"
    )
    expected = torch.tensor([0.75, 0.75 + 1 / 128, 0.75 + 1 / 64], **f64)
    assert torch.allclose(diou_loss(inside, target), expected), (
        "the enclosed boxes' DIoU loss worked out by hand"
    )

    # move the last box towards the target's centre by t: d loss / dt at 0
    t = torch.zeros(1, **f64, requires_grad=True)
    moved = inside[2:] + t * torch.tensor([1.0, 1, 1, 1], **f64)
    grads = {}
    for name, loss in [
        ("1 - IoU", 1 - iou_and_giou(moved, target[2:])[0]),
        ("1 - GIoU", 1 - iou_and_giou(moved, target[2:])[1]),
        ("DIoU", diou_loss(moved, target[2:])),
    ]:
        grads[name] = torch.autograd.grad(loss.sum(), t, retain_graph=True)[
            0
        ].item()
    print(f"d loss / d (move towards the centre), enclosed box: {grads}")
    assert (
        grads["1 - IoU"] == 0 and grads["1 - GIoU"] == 0 and grads["DIoU"] < 0
    ), "only DIoU moves an enclosed box's centre towards the target's"

    # --8<-- [start:aspect]
    # a 2x4 box on a 4x2 target with the same centre: intersection 2x2,
    # union 12, IoU 1/3, rho = 0, v = (4/pi^2)(atan 2 - atan 1/2)^2
    tall = torch.tensor([[1.0, -1, 3, 3]], **f64)
    wide = torch.tensor([[0.0, 0, 4, 2]], **f64)
    v = 4 / math.pi**2 * (math.atan(2) - math.atan(0.5)) ** 2
    alpha = v / (1 - 1 / 3 + v)
    # --8<-- [end:aspect]
    print(f"tall box on a wide target: v {v:.4f}, alpha {alpha:.4f}")
    diou, ciou = diou_loss(tall, wide).item(), ciou_loss(tall, wide).item()
    print(
        f"tall box on a wide target, DIoU / CIoU loss: {diou:.4f} / {ciou:.4f}"
    )
    assert abs(ciou - (2 / 3 + alpha * v)) < 1e-6, (
        "the tall box's CIoU loss worked out by hand"
    )

    # the fit of box_loss_training.py (same optimizer and steps) on 1600 pairs
    # drawn the same way: four times its 400, so the means hold over seeds
    start, target = box_pairs(SEED, n=1600)
    print(f"box pairs fitted: {len(target)}")
    losses = {
        "1 - GIoU": lambda b, t: (1 - iou_and_giou(b, t)[1]).mean(),
        "DIoU": lambda b, t: diou_loss(b, t).mean(),
        "CIoU": lambda b, t: ciou_loss(b, t).mean(),
    }
    # the largest distance from seed 0 (seeds 0-9, other kernels) of the
    # mean IoU and the aspect error, rounded up
    tol = {"1 - GIoU": (0.03, 0.8), "DIoU": (0.02, 0.6), "CIoU": (0.03, 0.2)}
    iou, err = {}, {}
    for name, loss_fn in losses.items():
        boxes = decode(fit(loss_fn, start, target))
        iou[name] = float(iou_and_giou(boxes, target)[0].mean())
        err[name] = aspect_error(boxes, target)
        t_iou, t_err = tol[name]
        print(f"mean IoU after 200 steps, {name}: {iou[name]:.2f} ±{t_iou}")
        print(f"aspect-ratio error (degrees), {name}: {err[name]:.1f} ±{t_err}")
    assert err["CIoU"] < err["DIoU"] / 2, (
        "CIoU ends with under half DIoU's aspect-ratio error"
    )
    assert iou["1 - GIoU"] > iou["DIoU"], (
        "1 - GIoU ends with the higher mean IoU than DIoU in this fit"
    )


if __name__ == "__main__":
    main()
