"""Exercise: integrated gradients from scratch; unlike the gradient times
the input, its attributions add up to the change of the score.

Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep Networks",
ICML: IG_i = (x_i - x'_i) * integral over a in [0, 1] of dS/dx_i at
x' + a (x - x') (Section 3, Eq. 1); completeness, sum_i IG_i = S(x) - S(x')
(Proposition 1); a Riemann sum of 20 to 300 steps approximates the integral
(Section 5).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch

from model import ShapeCNN, test_data

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def integrated_gradients(score, x, baseline, steps: int = 128):
    """score: images (N, 1, H, W) -> (N,); x, baseline (N, 1, H, W) -> the
    attributions (N, 1, H, W), with a midpoint Riemann sum of `steps`."""
    # BEGIN SOLUTION (starter: return torch.zeros_like(x))
    total = torch.zeros_like(x)
    for i in range(steps):
        a = (i + 0.5) / steps
        point = (baseline + a * (x - baseline)).requires_grad_(True)
        (grad,) = torch.autograd.grad(score(point).sum(), point)
        total += grad
    return (x - baseline) * total / steps
    # END SOLUTION


def gradient_times_input(score, x):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(score(x).sum(), x)
    return grad * x


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    x = test_data(16, seed=0)[0].to(**opts)  # (16, 1, 32, 32) shapes
    zero = torch.zeros_like(x)  # the baseline: a black image
    # a linear score: IG is exactly (x - x') * w
    w = torch.randn(1, 1, 32, 32, **opts)

    def linear(im):
        return (w * im).sum((1, 2, 3))

    ig = integrated_gradients(linear, x, zero, steps=4)
    assert ig.shape == x.shape, "one attribution per pixel"
    assert torch.allclose(ig, x * w, atol=1e-10), (
        "for a linear score IG is (x - baseline) * w"
    )
    # completeness on a CNN (random weights: completeness needs no training)
    model = ShapeCNN().to(**opts).eval()

    def score(im):
        return model(im)[:, 0]  # the logit of class 0

    change = score(x) - score(zero)  # (N,)
    ig_gap = integrated_gradients(score, x, zero).sum((1, 2, 3)) - change
    gxi_gap = gradient_times_input(score, x).sum((1, 2, 3)) - change
    ig_err = (ig_gap.abs() / change.abs()).median().item()
    gxi_err = (gxi_gap.abs() / change.abs()).median().item()
    assert ig_err < 0.05, "IG adds up to S(x) - S(baseline) within 5%"
    assert gxi_err > 4 * ig_err, "gradient x input does not add up"
    # both errors vary with the random weights; their relation does not
    print("integrated gradients, median completeness error below 5%: True")
    print("gradient x input, completeness error above 4 times IG's: True")
    # without biases a ReLU network is positively homogeneous, S(a x) = a S(x),
    # and Euler's theorem makes gradient x input add up to S(x) - S(0) = S(x)
    with torch.no_grad():
        for layer in (*model.features[::3], model.fc):
            layer.bias.zero_()
    change = score(x) - score(zero)
    gxi_gap = gradient_times_input(score, x).sum((1, 2, 3)) - change
    no_bias_err = (gxi_gap.abs() / change.abs()).max().item()
    assert no_bias_err < 1e-8, "without biases gradient x input adds up"
    print("gradient x input, no biases, largest error: below 1e-8")


if __name__ == "__main__":
    main()
