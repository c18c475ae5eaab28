"""Regressing raw pixel coordinates makes the box loss and its gradient on the
shared features dwarf the classification loss; standardized targets put the two
heads on the same scale.

Girshick 2015, "Fast R-CNN" (ICCV), Section 2.3: the regression targets are
normalized to zero mean and unit variance, and lambda = 1 then balances the two
terms.
"""

import os
import sys
from pathlib import Path

# the shared data set
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
import torch.nn.functional as F

from shapes import make_shapes
from classify_and_localize import Localizer  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_INITS = 16  # the ratios below are means over this many initializations


def head_grads(model, x, labels, box_target):
    """Loss of each head and the norm of its gradient on the shared features."""
    out = {}
    for name in ("class", "box"):
        model.zero_grad()
        scores, box = model(x)
        loss = (
            F.cross_entropy(scores, labels)
            if name == "class"
            else F.smooth_l1_loss(box, box_target, beta=1.0)
        )
        loss.backward()
        g = torch.cat([p.grad.flatten() for p in model.features.parameters()])
        out[name] = (float(loss.detach()), float(g.norm()))
    return out


def main() -> None:
    torch.manual_seed(SEED)
    data = make_shapes(512, seed=SEED)
    x, labels = data["images"], torch.cat(data["labels"])
    boxes = torch.cat(data["boxes"])  # (N, 4) pixels
    runs = []
    for _ in range(N_INITS):  # one untrained localizer's ratios are noisy
        model = Localizer()  # untrained
        # --8<-- [start:compare]
        raw = head_grads(model, x, labels, boxes)
        std = head_grads(
            model, x, labels, (boxes - boxes.mean(0)) / boxes.std(0)
        )
        # --8<-- [end:compare]
        runs.append(
            [
                raw["class"][0],
                raw["box"][0],
                std["box"][0],
                raw["box"][1] / raw["class"][1],  # box / class, raw pixels
                std["box"][1] / std["class"][1],  # box / class, standardized
            ]
        )
    loss_cls, loss_raw, loss_std, ratio_raw, ratio_std = (
        torch.tensor(runs, dtype=torch.float64).mean(0).tolist()
    )
    assert loss_raw > 5 * loss_cls, (
        "raw box loss above 5 times the cross-entropy"
    )
    assert ratio_raw > 5 * ratio_std, (
        "raw gradient ratio above 5 times the standardized"
    )
    assert 1 / 4 < ratio_std < 4, (
        "standardized gradient ratio between 1/4 and 4"
    )
    print(f"untrained localizers averaged: {N_INITS}")
    print(f"classification loss at init: {loss_cls:.2f} ±0.01")
    print(
        f"box loss at init, raw pixels / standardized: "
        f"{loss_raw:.1f} ±0.3 / {loss_std:.2f} ±0.01"
    )
    print(
        "box loss / classification loss, raw pixels: "
        f"{loss_raw / loss_cls:.1f} ±0.2"
    )
    print(
        f"box / class gradient norm on the shared layers, raw pixels: "
        f"{ratio_raw:.1f} ±3"
    )
    print(
        f"box / class gradient norm on the shared layers, standardized: "
        f"{ratio_std:.2f} ±0.5"
    )


if __name__ == "__main__":
    main()
