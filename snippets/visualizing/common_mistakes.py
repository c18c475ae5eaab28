"""No requires_grad: no input gradient; no eval(): a new map on every call.

PyTorch autograd semantics (a tensor's .grad is filled only for leaves with
requires_grad=True) and nn.Module.eval() (dropout and batch norm switch to their
inference behaviour); Simonyan, Vedaldi & Zisserman 2014, Section 3 (the
saliency map is the derivative at the given image: one backward pass).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn

from gradient_saliency import saliency
from model import test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def change(u, v) -> float:
    return ((u - v).norm() / u.norm()).item()


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, _ = test_data(32)
    x, y = x.to(device), y.to(device)
    # --8<-- [start:requires_grad]
    score = model(x).gather(1, y[:, None]).sum()
    score.backward()  # fills the weights' .grad only
    no_grad_on_input = x.grad is None  # x was never asked to need one
    # --8<-- [end:requires_grad]
    assert no_grad_on_input, "x.grad stays None without requires_grad"
    # --8<-- [start:eval]
    # the same trained weights behind dropout, as many classifiers have
    net = nn.Sequential(
        model.features,
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.5),
        model.fc,
    ).to(device)
    net.train()  # forgot net.eval()
    torch.manual_seed(SEED)  # the dropout masks
    a, b = saliency(net, x, y), saliency(net, x, y)
    net.eval()
    c, d = saliency(net, x, y), saliency(net, x, y)
    # --8<-- [end:eval]
    # a different map on each call; how different depends on the trained
    # weights, so the bound is printed, not one seed's value
    assert change(a, b) > 0.2, (
        f"in train() two maps of the same images differ {change(a, b)}"
    )
    assert change(c, d) == 0.0, (
        f"in eval() two maps of the same images are the same {change(c, d)}"
    )
    torch.testing.assert_close(c, saliency(model, x, y))  # eval(): same model
    print(f"x.grad after backward without requires_grad: {x.grad}")
    print(
        "relative change between two maps of the same images, train(): "
        "above 0.2"
    )
    print(
        "relative change between two maps of the same images, eval(): "
        f"{change(c, d):.2f}"
    )


if __name__ == "__main__":
    main()
