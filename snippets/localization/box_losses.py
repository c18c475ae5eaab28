"""Smooth L1 bounds the gradient of a large box error where L2 does not; 1 - IoU
has zero gradient for disjoint boxes, 1 - GIoU does not.

Girshick 2015, "Fast R-CNN" (ICCV), Section 2.3 (smooth L1 "is less sensitive to
outliers than the L2 loss"); Rezatofighi et al. 2019, "Generalized Intersection
over Union" (CVPR), Section 3.
"""

import os
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def iou_and_giou(
    a: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """IoU and GIoU of matching rows (N, 4) of (x0, y0, x1, y1) boxes."""
    w = (
        torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])
    ).clamp(min=0)
    h = (
        torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])
    ).clamp(min=0)
    area = lambda box: (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
    inter = w * h
    union = area(a) + area(b) - inter
    iou = inter / union
    # --8<-- [start:giou]
    # C: the smallest box enclosing both. GIoU subtracts the share of C that
    # neither box covers,
    # which keeps shrinking as disjoint boxes move closer: a gradient where IoU
    # has none.
    cx0, cy0 = torch.minimum(a[:, 0], b[:, 0]), torch.minimum(a[:, 1], b[:, 1])
    cx1, cy1 = torch.maximum(a[:, 2], b[:, 2]), torch.maximum(a[:, 3], b[:, 3])
    enclosing = (cx1 - cx0) * (cy1 - cy0)
    giou = iou - (enclosing - union) / enclosing
    # --8<-- [end:giou]
    return iou, giou


def grad_norm(loss_fn, pred: torch.Tensor, target: torch.Tensor) -> float:
    pred = pred.clone().requires_grad_(True)
    loss_fn(pred, target).backward()
    return pred.grad.norm().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # normalized coordinates
    target = torch.tensor([[0.0, 0.0, 1.0, 1.0]], device=device)
    # shifted right by 0.2
    small = target + torch.tensor([[0.2, 0.0, 0.2, 0.0]], device=device)
    # an outlier: shifted by 5
    large = target + torch.tensor([[5.0, 0.0, 5.0, 0.0]], device=device)

    # --8<-- [start:gradients]
    l2 = lambda p, t: 0.5 * ((p - t) ** 2).sum()
    smooth_l1 = lambda p, t: F.smooth_l1_loss(p, t, beta=1.0, reduction="sum")
    iou_loss = lambda p, t: (1 - iou_and_giou(p, t)[0]).sum()
    giou_loss = lambda p, t: (1 - iou_and_giou(p, t)[1]).sum()
    grads = {
        name: (grad_norm(f, small, target), grad_norm(f, large, target))
        for name, f in (
            ("L2", l2),
            ("smooth L1", smooth_l1),
            ("1 - IoU", iou_loss),
            ("1 - GIoU", giou_loss),
        )
    }
    # --8<-- [end:gradients]

    # L2: the gradient grows with the error
    assert grads["L2"][1] > 20 * grads["L2"][0]
    # two coordinates, each capped at 1
    assert grads["smooth L1"][1] <= 2**0.5 + 1e-6
    # errors < 1: the two agree
    torch.testing.assert_close(grads["smooth L1"][0], grads["L2"][0])
    # disjoint: no gradient at all
    assert grads["1 - IoU"][1] == 0.0 and grads["1 - IoU"][0] > 0
    assert grads["1 - GIoU"][1] > 0

    for name, (g_small, g_large) in grads.items():
        print(
            f"{name} gradient norm, shift 0.2 / shift 5: "
            f"{g_small:.3f} / {g_large:.3f}"
        )

    shifts = torch.linspace(-3, 3, 121, device=device)
    moved = target + torch.stack([shifts, 0 * shifts, shifts, 0 * shifts], 1)
    targets = target.expand_as(moved)
    err = moved - targets
    iou, giou = iou_and_giou(moved, targets)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
    ax1.plot(shifts.cpu(), (0.5 * err**2).sum(1).cpu(), label="L2 (0.5 e²)")
    ax1.plot(
        shifts.cpu(),
        F.smooth_l1_loss(moved, targets, reduction="none").sum(1).cpu(),
        label="smooth L1",
    )
    ax1.set_xlabel("horizontal shift of the predicted box")
    ax1.set_ylabel("loss")
    ax1.set_title("Coordinate losses")
    ax1.legend()
    ax2.plot(shifts.cpu(), (1 - iou).cpu(), label="1 - IoU")
    ax2.plot(shifts.cpu(), (1 - giou).cpu(), label="1 - GIoU")
    ax2.set_xlabel("horizontal shift of the predicted box")
    ax2.set_title("Overlap losses (1 - IoU is flat once disjoint)")
    ax2.legend()
    fig.savefig("box_losses.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
