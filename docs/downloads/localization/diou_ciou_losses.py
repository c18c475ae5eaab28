# diou_ciou_losses.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/localization/diou_ciou_losses.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python diou_ciou_losses.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "3b1b2559c863db491f6eb9c171bc424a69940e153d60410e670b03bc29f8a56b", "sources": {"snippets/localization/box_loss_training.py": "ae1e415288173e1ee180437895e945887e8944c5e98d7b08a3d54293cc286561", "snippets/localization/box_losses.py": "0217da0ec41baf8b9d2fe71e5e0b3fb6728e0fee45a980f83de4d4428dc72692", "snippets/localization/diou_ciou_losses.py": "fc54f84a3a6a997da9ec146d6837fe50d1e67a0d08a961ddda1baa9c447515e0"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/localization/box_losses.py
_add_module('box_losses', r'''"""Smooth L1 bounds the gradient of a large box error where L2 does not; 1 - IoU
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
''')


# snippets/localization/box_loss_training.py
_add_module('box_loss_training', r'''"""Fitting boxes with L2, L1, smooth L1, 1 - IoU and 1 - GIoU side by side: the
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
''')


# --- the snippet, unchanged: snippets/localization/diou_ciou_losses.py ---
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
