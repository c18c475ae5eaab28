"""Random weights spoil gradient and Grad-CAM maps, but not gradient x input.

Adebayo, Gilmer, Muelly, Goodfellow, Hardt & Kim 2018, "Sanity Checks for
Saliency Maps", NeurIPS, Section 3 (model parameter randomization test; Spearman
rank correlation of trained and randomized maps) and Figure 1 (an edge detector,
which knows no model, gives maps that look like saliency maps).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
import torch.nn.functional as F

from grad_cam import MODELS, grad_cam, learned_models
from gradient_saliency import saliency
from model import ShapeCNN, box_scores, overlay, test_data

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def grad_x_input(model, x, target):
    return (saliency(model, x, target) * x[:, 0]).abs()


def cam32(model, x, target):
    cam = grad_cam(model, model.features[-1], x, target)[:, None]
    return F.interpolate(cam, size=32, mode="bilinear")[:, 0]


METHODS = {
    "gradient": saliency,
    "gradient x input": grad_x_input,
    "Grad-CAM": cam32,
}


def average_ranks(maps):
    """Each map's pixel ranks, with tied pixels given their average rank
    (many pixels of these maps are exactly 0)."""
    flat = maps.flatten(1).double()
    n, p = flat.shape
    values, order = flat.sort(1)
    starts = torch.ones_like(values, dtype=torch.bool)
    starts[:, 1:] = values[:, 1:] != values[:, :-1]
    offset = torch.arange(n, device=flat.device)[:, None] * p
    group = (starts.cumsum(1) - 1 + offset).flatten()  # one id per tie
    position = torch.arange(p, device=flat.device).double().repeat(n)
    total = torch.zeros(n * p, dtype=flat.dtype, device=flat.device)
    count = torch.zeros_like(total)
    total.index_add_(0, group, position)
    count.index_add_(0, group, torch.ones_like(position))
    mean_rank = (total / count.clamp(min=1))[group].view(n, p)
    return torch.empty_like(mean_rank).scatter_(1, order, mean_rank)


def spearman(a, b):
    """Rank correlation of two maps per image, averaged (Adebayo et al.).
    Images where either map is constant (all 0) have none and are skipped."""
    ra, rb = average_ranks(a), average_ranks(b)
    ra, rb = ra - ra.mean(1, keepdim=True), rb - rb.mean(1, keepdim=True)
    norms = ra.norm(dim=1) * rb.norm(dim=1)
    defined = norms > 0
    return ((ra * rb).sum(1)[defined] / norms[defined]).mean().float()


LABELS = {
    "mass": "mass inside the box, trained",
    "random mass": "mass inside the box, randomized",
    "pointing": "pointing, trained",
    "random pointing": "pointing, randomized",
    "pointing gap": "pointing, trained minus randomized",
    "near": "maximum within 2 pixels of the box, trained",
    "random near": "maximum within 2 pixels of the box, randomized",
    "rho": "rank correlation trained vs randomized",
}
PRINTED = {  # the ± measured over seeds 0-9 and CPUs, or a bound
    "gradient": {
        "mass": 0.13,
        "random mass": 0.03,
        "random pointing": 0.12,
        "pointing gap": "within 0.3 of 0",
        "near": 0.3,
        "random near": 0.08,
        "rho": "below 0.2",
    },
    "gradient x input": {
        "mass": 0.25,
        "random mass": 0.03,
        "pointing": 0.25,
        "random pointing": 0.01,
        "rho": "above 0.4",
    },
    "Grad-CAM": {
        "mass": 0.09,
        "random mass": 0.03,
        "pointing": 0.3,
        "random pointing": 0.06,
        "rho": "below 0.3",
    },
}


def scored(maps, boxes) -> dict:
    """Mass and pointing in the box, and pointing within 2 pixels of it."""
    grown = boxes + torch.tensor([-2.0, -2.0, 2.0, 2.0])
    return {
        **box_scores(maps, boxes),
        "near": box_scores(maps, grown)["pointing"],
    }


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, y, boxes = test_data(200)
    x, y = x.to(device), y.to(device)
    models = learned_models(device)  # grad_cam.py: each has learned the task
    # --8<-- [start:randomize]
    # one random draw of all weights per test image: what one draw's map
    # shows depends on the signs it happened to get, so 200 are averaged
    torch.manual_seed(SEED + 1)
    randomized = [ShapeCNN().to(device).eval() for _ in range(len(x))]
    # --8<-- [end:randomize]
    rows, scores = {}, {}
    for name, method in METHODS.items():
        trained = [method(m, x, y).cpu() for m in models]
        rand = torch.cat(
            [
                method(net, x[i : i + 1], y[i : i + 1])
                for i, net in enumerate(randomized)
            ]
        ).cpu()
        t = [scored(m, boxes) for m in trained]
        scores[name] = {
            **{k: sum(d[k] for d in t) / MODELS for k in t[0]},
            **{f"random {k}": v for k, v in scored(rand, boxes).items()},
            "rho": (sum(spearman(m, rand) for m in trained) / MODELS).item(),
        }
        rows[f"{name}\ntrained"], rows[f"{name}\nrandom"] = trained[0], rand
    chance = scores["gradient"]["chance"]
    g, gx, cam = (scores[k] for k in METHODS)
    assert g["mass"] > g["random mass"], (
        f"the trained gradient puts more mass in the box: {g}"
    )
    assert abs(g["pointing"] - g["random pointing"]) < 0.3, (
        f"the pointing game does not separate them: {g}"
    )
    assert cam["pointing"] > cam["random pointing"] + 0.2, (
        f"Grad-CAM's pointing falls by more than 0.2: {cam}"
    )
    assert g["rho"] < 0.2 and cam["rho"] < 0.3, (
        f"trained and randomized maps are unrelated: {g, cam}"
    )
    assert gx["random mass"] > 3 * chance, (  # x*grad passes untrained
        f"randomized gradient x input scores above three times chance: {gx}"
    )
    assert gx["rho"] > 0.4 and gx["rho"] > g["rho"] + 0.2, (
        f"gradient x input's trained and randomized maps stay related: {g, gx}"
    )
    for name, printed in PRINTED.items():
        for key, tol in printed.items():
            if isinstance(tol, str):
                value = tol  # the bound the asserts above check
            else:
                value = f"{scores[name][key]:.2f}" + (
                    f" ±{tol:g}" if tol else ""
                )
            print(f"{name}, {LABELS[key]}: {value}")
    print(f"chance (box area / image area): {chance:.3f} ±0.02")
    overlay(
        x[:4].cpu(), None, boxes[:4], ["", "", "", ""], "sanity.png", rows=rows
    )


if __name__ == "__main__":
    main()
