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

from grad_cam import grad_cam
from gradient_saliency import saliency
from model import ShapeCNN, box_scores, overlay, test_data, train_model

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


def spearman(a, b):
    """Rank correlation of two maps per image, averaged (Adebayo et al.)."""
    ra = a.flatten(1).argsort(1).argsort(1).float()
    rb = b.flatten(1).argsort(1).argsort(1).float()
    ra, rb = ra - ra.mean(1, keepdim=True), rb - rb.mean(1, keepdim=True)
    return ((ra * rb).sum(1) / (ra.norm(dim=1) * rb.norm(dim=1))).mean()


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, boxes = test_data(200)
    x, y = x.to(device), y.to(device)
    # --8<-- [start:randomize]
    randomized = []
    for k in range(3):  # three random draws of all weights
        torch.manual_seed(SEED * 100 + k + 1)
        randomized.append(ShapeCNN().to(device).eval())
    # --8<-- [end:randomize]
    rows, scores = {}, {}
    for name, method in METHODS.items():
        trained = method(model, x, y).cpu()
        rand = [method(r, x, y).cpu() for r in randomized]
        t = box_scores(trained, boxes)
        r = [box_scores(m, boxes) for m in rand]
        r_mass = sum(d["mass"] for d in r) / 3
        rho = sum(spearman(trained, m) for m in rand) / 3
        scores[name] = (
            t["mass"],
            r_mass,
            t["pointing"],
            sum(d["pointing"] for d in r) / 3,
            rho.item(),
        )
        rows[f"{name}\ntrained"], rows[f"{name}\nrandom"] = trained, rand[0]
    chance = t["chance"]
    g, gx, cam = (scores[k] for k in METHODS)
    assert g[0] > g[1] + 0.07, g  # trained beats randomized...
    assert cam[2] > cam[3] + 0.2, cam  # ...by a clear margin
    assert gx[1] > 3 * chance, gx  # but x*grad passes without training
    tolerances = {
        "gradient": (0.1, 0.06, 0.5, 0.5, 0.08),  # seeds 0..4
        "gradient x input": (0.1, 0.06, 0.2, 0, 0.6),
        "Grad-CAM": (0.2, 0.07, 0.4, 0.5, 0.5),
    }
    labels = (
        "mass inside the box, trained",
        "mass inside the box, randomized",
        "pointing, trained",
        "pointing, randomized",
        "rank correlation trained vs randomized",
    )
    for name, values in scores.items():
        for label, v, tol in zip(labels, values, tolerances[name]):
            print(f"{name}, {label}: {v:.2f}" + (f" ±{tol:g}" if tol else ""))
    print(f"chance (box area / image area): {chance:.3f} ±0.02")
    overlay(
        x[:4].cpu(), None, boxes[:4], ["", "", "", ""], "sanity.png", rows=rows
    )


if __name__ == "__main__":
    main()
