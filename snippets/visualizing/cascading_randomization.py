"""Cascading randomization: re-initialize a trained CNN's layers from the top
down and watch each saliency map. Re-drawing the top layer leaves the gradient
map's ranking largely intact in this small GAP network; each convolution
re-drawn takes it further away. Guided backprop keeps more of its map than the
gradient once conv2 is re-drawn.

Adebayo, Gilmer, Muelly, Goodfellow, Hardt & Kim 2018, "Sanity Checks for
Saliency Maps", NeurIPS, Section 3 (cascading randomization, from the logits
down; Spearman rank correlation of the absolute maps) and its Figure 2 (guided
backpropagation stays similar as the top layers are randomized).
"""

import copy
import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

from grad_cam import MODELS, learned_models
from gradient_saliency import saliency
from guided_backprop import guided_backprop
from model import test_data
from sanity_check import spearman

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
METHODS = {"gradient": saliency, "guided backprop": guided_backprop}
PRINTED = {  # the ± measured over seeds 0-9 and CPUs, or a bound
    "gradient": {
        "fc": 0.25,
        "conv3": 0.25,
        "conv2": "below 0.4",
        "conv1": "below 0.2",
    },
    "guided backprop": {"fc": 0.35, "conv3": 0.2, "conv2": "above 0.2"},
}


# --8<-- [start:cascade]
def top_down(model) -> list:
    """The layers with weights, from the logits down to the input."""
    convs = [m for m in model.features if isinstance(m, torch.nn.Conv2d)]
    return [("fc", model.fc)] + [
        (f"conv{i}", conv) for i, conv in reversed(list(enumerate(convs, 1)))
    ]


def cascade(model, x, y) -> dict:
    """Rank correlation with the trained map after each layer is re-drawn,
    for every method on the same re-drawn weights."""
    trained = {name: method(model, x, y) for name, method in METHODS.items()}
    model = copy.deepcopy(model)  # the trained model stays as it was
    rhos = {name: {} for name in METHODS}
    for step, layer in top_down(model):
        layer.reset_parameters()  # PyTorch's default initialization
        for name, method in METHODS.items():
            rho = spearman(trained[name], method(model, x, y))
            rhos[name][step] = rho.item()
    return rhos


# --8<-- [end:cascade]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, y, _ = test_data(200)
    x, y = x.to(device), y.to(device)
    models = learned_models(device)  # grad_cam.py: each has learned the task
    runs = []
    for k, model in enumerate(models):
        torch.manual_seed(MODELS * SEED + k)  # this model's re-draws
        runs.append(cascade(model, x, y))
    rho = {  # method -> step -> the mean over the models
        name: {
            step: sum(run[name][step] for run in runs) / MODELS
            for step in runs[0][name]
        }
        for name in METHODS
    }
    g, gb = rho["gradient"], rho["guided backprop"]
    assert g["fc"] > 0.6, (
        f"a random classifier layer leaves the gradient map's ranking: {g}"
    )
    assert g["fc"] > g["conv3"] > g["conv2"] > g["conv1"], (
        f"each re-drawn layer takes the gradient map further away: {g}"
    )
    assert g["conv2"] < 0.4 and g["conv1"] < 0.2, (
        f"with the convolutions re-drawn the gradient map is unrelated: {g}"
    )
    assert gb["conv2"] > 0.2 and gb["conv2"] > g["conv2"] + 0.05, (
        f"guided backprop keeps more of its map than the gradient: {rho}"
    )
    print(f"trained models: {MODELS}, test images: {len(x)}")
    for name, printed in PRINTED.items():
        for step, tol in printed.items():
            value = rho[name][step]
            if isinstance(tol, str):
                shown = tol  # the bound the asserts above check
            else:
                shown = f"{value:.2f} ±{tol:g}"
            print(f"{name}, rank correlation, down to {step}: {shown}")


if __name__ == "__main__":
    main()
