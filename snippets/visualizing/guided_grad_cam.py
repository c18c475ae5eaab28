"""Guided Grad-CAM keeps two classes in one image apart, guided backprop far
less (Selvaraju et al. 2017, Grad-CAM, ICCV, Section 3.2).

Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks via
Gradient-based Localization", ICCV, Section 3.2 (Guided Grad-CAM: guided
backpropagation times Grad-CAM upsampled bilinearly to the input, high
resolution and class-discriminative, where guided backpropagation alone is not;
Figure 1, a cat and a dog in one image).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
import torch.nn.functional as F

from grad_cam import MODELS, grad_cam, learned_models
from guided_backprop import guided_backprop
from model import CLASSES, box_scores, make_shapes, overlay

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:guided_grad_cam]
def guided_grad_cam(model, x, target):
    """Guided backprop times Grad-CAM upsampled to the input: (N, H, W)."""
    guided = guided_backprop(model, x, target)  # (N, 32, 32): fine detail
    cam = grad_cam(model, model.features[-1], x, target)  # (N, 8, 8): where
    cam = F.interpolate(cam[:, None], size=x.shape[-2:], mode="bilinear")
    return guided * cam[:, 0]  # element-wise


# --8<-- [end:guided_grad_cam]


# --8<-- [start:two_shapes]
def two_shapes(n: int, seed: int) -> tuple:
    """n images with two shapes of different classes each: images
    (n, 1, 32, 32), labels (n, 2), boxes (n, 2, 4)."""
    d = make_shapes(6 * n, max_shapes=2, seed=seed)  # over a quarter qualify
    keep = [
        i
        for i, lab in enumerate(d["labels"])
        if len(lab) == 2 and lab[0] != lab[1]
    ][:n]
    assert len(keep) == n, len(keep)
    labels = torch.stack([d["labels"][i] for i in keep])
    boxes = torch.stack([d["boxes"][i] for i in keep])
    return d["images"][keep], labels, boxes


# --8<-- [end:two_shapes]


def correlation(a, b):
    """Pearson correlation of two maps, image by image: (N,)."""
    a, b = a.flatten(1), b.flatten(1)
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1))


# --8<-- [start:score]
def scores(map_a, map_b, boxes) -> dict:
    """The maps of class A and of class B (N, 32, 32) against the boxes of
    the A and B objects (N, 2, 4): the share of each map's mass on its own
    class's object and on the other one, and how alike the two maps are."""
    maps = torch.cat([map_a, map_b])
    own = torch.cat([boxes[:, 0], boxes[:, 1]])
    other = torch.cat([boxes[:, 1], boxes[:, 0]])
    # a class with no positive evidence gets an empty map: left out
    full = maps.flatten(1).sum(1) > 0
    both = full[: len(map_a)] & full[len(map_a) :]
    mine = box_scores(maps[full], own[full])
    return {
        "own": mine["mass"],
        "other": box_scores(maps[full], other[full])["mass"],
        "corr": correlation(map_a[both], map_b[both]).mean().item(),
        "chance": mine["chance"],
    }


# --8<-- [end:score]


SHOWN = 3  # images plotted, each explained for both of its classes


def blank(maps: dict) -> bool:
    """Is any map of the plotted images empty (a class with no evidence)?"""
    return any(
        (m[:SHOWN].flatten(1).sum(1) == 0).any()
        for pair in maps.values()
        for m in pair
    )


def mean(runs: list, key: str) -> float:
    return sum(r[key] for r in runs) / len(runs)


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, labels, boxes = two_shapes(200, seed=20_000 + SEED)  # new images
    x, a, b = x.to(device), labels[:, 0].to(device), labels[:, 1].to(device)
    runs, shown = {"guided": [], "ggc": []}, None
    for model in learned_models(device):
        maps = {
            "guided": [guided_backprop(model, x, t).cpu() for t in (a, b)],
            "ggc": [guided_grad_cam(model, x, t).cpu() for t in (a, b)],
        }
        for name, (map_a, map_b) in maps.items():
            runs[name].append(scores(map_a, map_b, boxes))
        if shown is None or blank(shown) and not blank(maps):
            shown = maps  # the first model with no empty map to plot
    g, c = (
        {key: mean(runs[name], key) for key in runs[name][0]}
        for name in ("guided", "ggc")
    )
    # --8<-- [start:check]
    assert c["other"] < 0.4 * c["own"], (
        f"Guided Grad-CAM's map stays on its class's object {c}"
    )
    assert g["other"] > 0.4 * g["own"], (
        f"guided backprop's map lights up both objects {g}"
    )
    assert g["other"] < g["own"], (
        f"guided backprop still favours its class's object {g}"
    )
    assert c["corr"] < 0.4 and g["corr"] > c["corr"] + 0.15, (
        f"Guided Grad-CAM's two class maps are less alike {g} {c}"
    )
    assert c["own"] > g["own"] + 0.08, (
        f"Guided Grad-CAM puts more of its mass on the object {g} {c}"
    )
    # --8<-- [end:check]
    print(f"test images, two shapes of different classes each: {len(x)}")
    print(f"models, each trained from its own seed: {MODELS}")
    print(
        "guided backprop, correlation of the two class maps: "
        f"{g['corr']:.2f} ±0.3"
    )
    print("Guided Grad-CAM, correlation of the two class maps: below 0.4")
    print(f"guided backprop, mass on its class's object: {g['own']:.2f} ±0.04")
    print(
        "guided backprop, mass on the other object / on its own: "
        "between 0.4 and 1"
    )
    print(f"Guided Grad-CAM, mass on its class's object: {c['own']:.2f} ±0.08")
    print("Guided Grad-CAM, mass on the other object / on its own: below 0.4")
    print(f"chance (box area / image area): {g['chance']:.3f} ±0.02")
    cols = [(i, j) for i in range(SHOWN) for j in (0, 1)]
    rows = {
        name: torch.stack([shown[key][j][i] for i, j in cols])
        for name, key in (
            ("guided\nbackprop", "guided"),
            ("Guided\nGrad-CAM", "ggc"),
        )
    }
    overlay(
        x[[i for i, _ in cols]].cpu(),
        None,
        torch.stack([boxes[i, j] for i, j in cols]),
        [CLASSES[int(labels[i, j])] for i, j in cols],
        "guided_grad_cam.png",
        rows=rows,
    )


if __name__ == "__main__":
    main()
