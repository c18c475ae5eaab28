"""Shattered gradients: in a deep plain network with batch norm the derivative
of the output with respect to the input is nearly uncorrelated between
neighbouring inputs, like white noise; with shortcuts it stays correlated.

Balduzzi, Frean, Leary, Lewis, Ma & McWilliams 2017, "The Shattered Gradients
Problem: If resnets are the answer, then what is the question?", ICML: the
correlation "decays exponentially with depth" in feedforward networks and
"sublinearly" with skip connections (abstract); their Figure 1 plots such
gradients over a grid of 256 scalar inputs. Width and depths here are ours.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
WIDTH, POINTS, NETS = 200, 256, 16
DEPTHS = (2, 10, 50)
# Largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10), rounded up.
TOLERANCE = {
    ("plain", 2): 0.03,
    ("plain", 10): 0.05,
    ("residual", 2): 0.03,
    ("residual", 10): 0.03,
    ("residual", 50): 0.06,
}


# --8<-- [start:nets]
class Net(nn.Module):
    """Scalar in, scalar out; each layer is BN, ReLU, linear, with or without
    the shortcut h + F(h). BN normalizes over the 256 inputs of the batch."""

    def __init__(self, depth: int, residual: bool):
        super().__init__()
        self.residual = residual
        self.first = nn.Linear(1, WIDTH)
        self.layers = nn.ModuleList(
            nn.Sequential(
                nn.BatchNorm1d(WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH)
            )
            for _ in range(depth)
        )
        self.last = nn.Linear(WIDTH, 1)
        for layer in self.layers:  # He initialization keeps the signal's size
            nn.init.kaiming_normal_(layer[2].weight, nonlinearity="relu")
            nn.init.zeros_(layer[2].bias)

    def forward(self, x):
        h = self.first(x)
        for layer in self.layers:
            h = h + layer(h) if self.residual else layer(h)
        return self.last(h)


def input_derivative(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """d output / d input at each of the inputs, BN normalizing with the
    statistics of the whole batch of inputs."""
    with torch.no_grad():  # collect the batch's statistics once
        for layer in net.modules():
            if isinstance(layer, nn.BatchNorm1d):
                layer.reset_running_stats()
                layer.momentum = None  # a plain average: here one batch
        net.train()(x)
    net.eval()  # fixed statistics: each output depends on its input only
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(net(x).sum(), x)
    return grad.flatten()


def neighbour_correlation(net: nn.Module, x: torch.Tensor) -> float:
    """Correlation of the derivative between neighbouring inputs."""
    g = input_derivative(net, x)
    a, b = g[:-1] - g[:-1].mean(), g[1:] - g[1:].mean()
    return (a @ b / (a.norm() * b.norm())).item()


# --8<-- [end:nets]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.linspace(-2, 2, POINTS, device=device).unsqueeze(1)
    # --8<-- [start:measure]
    corr = {}  # (kind, depth) -> correlation of each of the NETS networks
    for depth in DEPTHS:
        for kind in ("plain", "residual"):
            nets = [
                Net(depth, kind == "residual").to(device) for _ in range(NETS)
            ]
            corr[kind, depth] = [neighbour_correlation(n, x) for n in nets]
    # --8<-- [end:measure]
    mean = {key: sum(c) / NETS for key, c in corr.items()}
    for (kind, depth), value in mean.items():
        label = f"{kind}, depth {depth}, mean neighbour correlation"
        if (kind, depth) in TOLERANCE:
            print(f"{label}: {value:.2f} ±{TOLERANCE[kind, depth]}")
    # The claims, for every seed.
    assert mean["plain", 2] > mean["plain", 10] > mean["plain", 50], (
        "the plain net's gradients decorrelate with depth"
    )
    assert mean["residual", 2] > mean["residual", 10] > mean["residual", 50], (
        "the residual net's decorrelate too, more slowly"
    )
    assert mean["plain", 50] < 0.15, (
        "at depth 50 the plain net's gradient is noise"
    )
    print("plain, depth 50, mean neighbour correlation: below 0.15")
    assert min(corr["residual", 50]) > max(corr["plain", 50]), (
        "at depth 50 every residual net keeps more than any plain one"
    )
    print("depth 50: every residual net above every plain net")


if __name__ == "__main__":
    main()
