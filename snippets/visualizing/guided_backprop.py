"""Guided backprop of an untrained CNN already points at the object.

Springenberg, Dosovitskiy, Brox & Riedmiller 2015, "Striving for Simplicity:
The All Convolutional Net", ICLR workshop (guided backpropagation); Adebayo
et al. 2018, "Sanity Checks for Saliency Maps", NeurIPS, Section 3 (guided
backpropagation nearly unchanged when the weights are randomized).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn

from gradient_saliency import saliency
from model import ShapeCNN, box_scores, test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:guided]
class GuidedReLU(torch.autograd.Function):
    """Forward: ReLU. Backward: pass a gradient only where the input was
    positive (ordinary backprop) AND the gradient itself is positive
    (the deconvnet's rule): both masks at once."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0) * (grad > 0)


def guided_backprop(model, x, target):
    """|guided gradient of the target logit|, max over channels: (N, H, W)."""
    x = x.clone().requires_grad_(True)
    h = x
    for layer in model.features:  # the same layers, guided ReLUs
        h = GuidedReLU.apply(h) if isinstance(layer, nn.ReLU) else layer(h)
    score = model.fc(h.mean((2, 3))).gather(1, target[:, None]).sum()
    (grad,) = torch.autograd.grad(score, x)
    return grad.abs().amax(1)


# --8<-- [end:guided]


# --8<-- [start:hooks]
def guided_by_hooks(model, x, target):
    """The same map with backward hooks on the model's own nn.ReLU modules."""

    def clamp(module, grad_in, grad_out):  # grad_in = grad_out * (x > 0)
        return (grad_in[0].clamp(min=0),)

    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    handles = [r.register_full_backward_hook(clamp) for r in relus]
    try:
        return saliency(model, x, target)  # plain saliency, hooked ReLUs
    finally:
        for h in handles:
            h.remove()


# --8<-- [end:hooks]


def chance(boxes) -> float:
    return box_scores(torch.ones(len(boxes), 32, 32), boxes)["chance"]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, boxes = test_data(200)
    x, y = x.to(device), y.to(device)
    # --8<-- [start:check]
    guided = guided_backprop(model, x, y)
    torch.testing.assert_close(guided, guided_by_hooks(model, x, y))
    plain = saliency(model, x, y)
    assert (guided - plain).abs().amax() > 1e-3  # the rule changes the map
    # Adebayo et al.'s test: the same map for random weights, one random
    # draw per test image (as in sanity_check.py)
    torch.manual_seed(SEED + 1)
    rand = torch.cat(
        [
            guided_backprop(
                ShapeCNN().to(device).eval(), x[i : i + 1], y[i : i + 1]
            )
            for i in range(len(x))
        ]
    )
    r = box_scores(rand.cpu(), boxes)  # no learned weight at all
    assert r["pointing"] > 3 * chance(boxes), (
        f"a random net's guided map points at the object {r}"
    )
    # --8<-- [end:check]
    print(f"test images: {len(x)}")
    print("guided backprop, from scratch equals nn.ReLU hooks: True")
    print(f"guided backprop, randomized, pointing: {r['pointing']:.2f} ±0.05")
    print(
        f"guided backprop, randomized, mass in the box: {r['mass']:.2f} ±0.02"
    )
    print(f"chance (box area / image area): {chance(boxes):.3f} ±0.02")


if __name__ == "__main__":
    main()
