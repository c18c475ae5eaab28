"""Fitting boxes with L2, L1, smooth L1, 1 - IoU and 1 - GIoU side by side: the
coordinate losses and GIoU move every box onto its target, 1 - IoU leaves the
disjoint ones where they started.

Rezatofighi et al. 2019, "Generalized Intersection over Union" (CVPR), Section 3
(GIoU as a loss, Algorithm 2); Girshick 2015, "Fast R-CNN" (ICCV), Section 2.3
(smooth L1).
"""

import os

import torch
import torch.nn.functional as F

# same folder: snippets/localization/box_losses.py
from box_losses import iou_and_giou

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def decode(p):
    """(N, 4) free parameters (cx, cy, log w, log h) -> valid xyxy boxes."""
    c, wh = p[:, :2], p[:, 2:].exp()
    return torch.cat([c - wh / 2, c + wh / 2], 1)


# --8<-- [start:losses]
# seed-to-seed spread (seeds 1-9 vs seed 0) of mean IoU, fitted share
TOL = {
    "L2 (mse_loss)": (0.01, 0.01),
    "L1 (l1_loss)": (0.01, 0.01),
    "smooth L1 (beta=1)": (0.01, 0.01),
    "1 - IoU": (0.05, None),  # fits none: exactly 0, asserted
    "1 - GIoU": (0.04, 0.08),
}
LOSSES = {
    "L2 (mse_loss)": lambda b, t: F.mse_loss(b, t),
    "L1 (l1_loss)": lambda b, t: F.l1_loss(b, t),
    "smooth L1 (beta=1)": lambda b, t: F.smooth_l1_loss(b, t, beta=1.0),
    "1 - IoU": lambda b, t: (1 - iou_and_giou(b, t)[0]).mean(),
    "1 - GIoU": lambda b, t: (1 - iou_and_giou(b, t)[1]).mean(),
}
# --8<-- [end:losses]


def box_pairs(seed: int, n: int = 400) -> tuple[torch.Tensor, torch.Tensor]:
    """n start parameters and n target boxes in a 64 x 64 image."""
    gen = torch.Generator().manual_seed(seed)
    rand = lambda lo, hi: lo + (hi - lo) * torch.rand(n, 2, generator=gen)
    target = decode(torch.cat([rand(16, 48), rand(8, 24).log()], 1))
    start = torch.cat([rand(16, 48), rand(8, 24).log()], 1)
    return start, target


# --8<-- [start:fit]
def fit(loss_fn, start, target, steps=200):
    """Adam on each box's (cx, cy, log w, log h), the learning rate annealed."""
    p = start.clone().requires_grad_()
    opt = torch.optim.Adam([p], lr=0.5)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    for _ in range(steps):
        loss = loss_fn(decode(p), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return p.detach()


# --8<-- [end:fit]


def main() -> None:
    start, target = box_pairs(SEED)
    n = len(start)
    disjoint = iou_and_giou(decode(start), target)[0] == 0
    print(f"pairs that start disjoint: {int(disjoint.sum())} ±40 of {n}")
    res = {}
    for name, loss_fn in LOSSES.items():
        p = fit(loss_fn, start, target)
        iou = iou_and_giou(decode(p), target)[0]
        res[name] = (
            float(iou.mean()),
            float((iou[disjoint] >= 0.5).double().mean()),
        )
        moved = (p != start).any(1)  # (N,) boxes that changed at all
        t_iou, t_fit = TOL[name]
        if name == "1 - IoU":  # zero gradient when disjoint: they never move
            assert not moved[disjoint].any() and res[name][1] == 0, (
                "1 - IoU moves not one disjoint box"
            )
            fitted = f"{res[name][1]:.2f}, not one moved"
        else:
            fitted = f"{res[name][1]:.2f} ±{t_fit}"
        print(
            f"{name}: mean IoU {res[name][0]:.2f} ±{t_iou}, "
            f"disjoint pairs fitted {fitted}"
        )
    for name in ("L2 (mse_loss)", "L1 (l1_loss)", "smooth L1 (beta=1)"):
        assert res[name][1] > 0.9 and res[name][0] > res["1 - IoU"][0] + 0.3, (
            "the coordinate losses fit the disjoint pairs"
        )
    assert res["1 - GIoU"][1] > 0.5, (
        "1 - GIoU fits over half the disjoint pairs"
    )


if __name__ == "__main__":
    main()
