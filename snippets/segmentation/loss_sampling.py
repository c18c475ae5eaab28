"""Sampling the loss (patchwise training, in an FCN) against whole images: with
the same expected number of pixel losses per step and the same number of
steps, the sampled run ends where the whole-image run ends, after feeding the
network twice the images.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 3.4 (patchwise training is loss sampling) and
Section 4.3, "Patch Sampling", with Figure 5 (sampling made no significant
difference to the convergence rate, and took more time: more images per batch).
"""

import os
import sys
from pathlib import Path

import torch

# same folder: snippets/segmentation/
from fcn_32s_16s_8s import SkipFCN, train
from metrics import confusion_matrix, mean_iou

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
from shapes import make_shapes  # snippets/shapes/shapes.py

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    kw = dict(size=16, max_shapes=2, min_side=5, max_side=9)
    data = make_shapes(640, seed=1, **kw)
    test = make_shapes(200, seed=2, **kw)
    # --8<-- [start:runs]
    # (epochs, batch, keep): 640 images, so each run takes 100 steps
    runs = {
        "whole images, batch 32": (5, 32, 1.0),
        # the same expected number of pixel losses per step as whole images
        "loss sampled (keep 1/2), batch 64": (10, 64, 0.5),
        # the same images as whole images, half of their pixel losses
        "loss sampled (keep 1/2), batch 32": (5, 32, 0.5),
    }
    miou = {}
    for name, (epochs, batch, keep) in runs.items():
        model = train(SkipFCN(w=12).to(device), data, epochs, batch, keep)
        with torch.no_grad():
            scores = model(test["images"].to(device))[-1]  # the stride-2 head
        cm = confusion_matrix(scores.argmax(1), test["masks"].to(device), 4)
        miou[name] = mean_iou(cm)
        seen = epochs * len(data["images"])
        print(f"images through the network, {name}: {seen}")
    # --8<-- [end:runs]
    # seed-to-seed spread (seeds 1-9 vs seed 0, other CPUs' kernels)
    tol = dict(zip(runs, (0.03, 0.02, 0.03)))
    for name in runs:
        print(f"mean IoU, {name}: {miou[name]:.3f} ±{tol[name]}")
    whole, same_terms = (miou[name] for name in list(runs)[:2])
    assert abs(whole - same_terms) < 0.03, (
        "sampling, same losses per step, ends within 0.03 of whole images"
    )


if __name__ == "__main__":
    main()
