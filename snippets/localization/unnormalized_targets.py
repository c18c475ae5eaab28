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
    data = make_shapes(256, seed=SEED)
    x, labels = data["images"], torch.cat(data["labels"])
    boxes = torch.cat(data["boxes"])  # (N, 4) pixels
    model = Localizer()  # untrained
    # --8<-- [start:compare]
    raw = head_grads(model, x, labels, boxes)
    std = head_grads(model, x, labels, (boxes - boxes.mean(0)) / boxes.std(0))
    # --8<-- [end:compare]
    ratio_raw = raw["box"][1] / raw["class"][1]
    ratio_std = std["box"][1] / std["class"][1]
    assert ratio_raw > 5 * ratio_std and raw["box"][0] > 5 * raw["class"][0]
    print(f"classification loss at init: {raw['class'][0]:.2f} ±0.02")
    print(
        f"box loss at init, raw pixels / standardized: "
        f"{raw['box'][0]:.1f} ±0.8 / {std['box'][0]:.2f} ±0.02"
    )
    print(
        f"box / class gradient norm on the shared layers, raw pixels: "
        f"{ratio_raw:.0f} ±20"
    )
    print(
        f"box / class gradient norm on the shared layers, standardized: "
        f"{ratio_std:.1f} ±2"
    )


if __name__ == "__main__":
    main()
