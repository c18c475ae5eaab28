"""Zero gamma helps only on the last BN of a residual branch; in a plain net it
cuts the signal.

Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in
1 Hour", Section 5.1 (gamma = 0 for the last BN of each residual block, so
the signal first goes through the identity shortcuts).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
W = 32


# --8<-- [start:nets]
def branch() -> nn.Sequential:
    f = nn.Sequential(
        nn.Linear(W, W, bias=False),
        nn.BatchNorm1d(W),
        nn.ReLU(),
        nn.Linear(W, W, bias=False),
        nn.BatchNorm1d(W),
    )
    nn.init.zeros_(f[-1].weight)  # gamma = 0 on the last BN
    return f


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = branch()

    def forward(self, x):
        return F.relu(x + self.f(x))


def make(shortcut: bool) -> nn.Sequential:
    blocks = [
        Residual() if shortcut else nn.Sequential(branch(), nn.ReLU())
        for _ in range(4)
    ]
    return nn.Sequential(nn.Linear(64, W), nn.ReLU(), *blocks, nn.Linear(W, 10))


# --8<-- [end:nets]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(128, 64, device=device)
    y = torch.randint(10, (128,), device=device)
    # --8<-- [start:run]
    for shortcut in (True, False):
        net = make(shortcut).to(device)
        out = net(x)
        F.cross_entropy(out, y).backward()
        first = net[0].weight.grad.norm().item()
        name = "residual" if shortcut else "plain"
        print(
            f"{name}, zero gamma: outputs differ between inputs: "
            f"{bool(out.std(0).max() > 0)}, first-layer gradient norm: "
            f"{first:.3g}"
        )
        if shortcut:
            assert out.std(0).max() > 0 and first > 1e-3  # learns from x
        else:
            assert out.std(0).max() == 0 and first == 0  # x is cut off
    # --8<-- [end:run]


if __name__ == "__main__":
    main()
