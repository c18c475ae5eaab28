"""Without BN the gradient vanishes in a deep plain net with PyTorch's default
initialization; shortcuts carry it, and so does He initialization.

He, Zhang, Ren & Sun 2016, CVPR, Section 4.1 (with BN the plain nets' gradients
do not vanish); He et al. 2016b, "Identity Mappings in Deep Residual Networks",
ECCV, Section 2; Yang et al. 2019, "A Mean Field Theory of Batch
Normalization", ICLR (BN makes the gradients of deep plain nets explode).
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
WIDTH, DEPTH = 32, 20


# --8<-- [start:model]
class Block(nn.Module):
    def __init__(self, shortcut: bool, bn: bool):
        super().__init__()
        norm = (lambda: nn.BatchNorm1d(WIDTH)) if bn else nn.Identity
        self.shortcut = shortcut
        self.f = nn.Sequential(
            nn.Linear(WIDTH, WIDTH),
            norm(),
            nn.ReLU(),
            nn.Linear(WIDTH, WIDTH),
            norm(),
        )

    def forward(self, x):
        return F.relu(x + self.f(x)) if self.shortcut else F.relu(self.f(x))


def layer_grad_norms(shortcut: bool, bn: bool, he: bool, x, y) -> list[float]:
    """Gradient norm of every hidden weight matrix at initialization."""
    torch.manual_seed(
        SEED
    )  # PyTorch's default init: weight variance 1/(3 fan_in)
    blocks = [Block(shortcut, bn) for _ in range((DEPTH - 2) // 2)]
    net = nn.Sequential(
        nn.Linear(64, WIDTH), nn.ReLU(), *blocks, nn.Linear(WIDTH, 10)
    ).to(x.device)
    if he:  # variance 2/fan_in, which keeps the size of a ReLU net's signal
        for m in net.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    F.cross_entropy(net(x), y).backward()
    layers = [m for m in net.modules() if isinstance(m, nn.Linear)][:-1]
    return [m.weight.grad.norm().item() for m in layers]  # layer 1 first


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)
    x = ((x - x.mean(0)) / (x.std(0) + 1e-3)).to(device)
    y = torch.tensor(digits.target, device=device)
    idx = torch.randperm(len(y), generator=torch.Generator().manual_seed(SEED))
    x, y = x[idx[:256]], y[idx[:256]]  # one batch
    # --8<-- [start:measure]
    runs = {  # (shortcut, BN, He init)
        "plain, no BN": (False, False, False),
        "residual, no BN": (True, False, False),
        "plain, BN": (False, True, False),
        "residual, BN": (True, True, False),
        "plain, no BN, He init": (False, False, True),
    }
    norms = {name: layer_grad_norms(*args, x, y) for name, args in runs.items()}
    for name, g in norms.items():
        print(
            f"{name}: first-layer gradient norm {g[0]:.1e}, "
            f"last hidden layer {g[-1]:.1e}"
        )
    # --8<-- [end:measure]
    plain, res = norms["plain, no BN"], norms["residual, no BN"]
    # vanished
    assert plain[0] < 1e-4 * res[0], (
        f"plain first-layer gradient 10^4 times smaller {plain[0]}"
    )
    assert plain[0] < 1e-3 * plain[-1], plain  # shrinks with depth
    assert res[0] > 0.3 * res[-1], (
        f"the residual net's stays of the same order: {res}"
    )
    bn_plain = norms["plain, BN"]
    assert bn_plain[0] > bn_plain[-1], (
        f"with BN the plain net's gradient grows towards the input: {bn_plain}"
    )

    he_plain = norms["plain, no BN, He init"]
    assert he_plain[0] > 0.3 * he_plain[-1], (
        f"with He init the plain net's gradient does not vanish: {he_plain}"
    )

    fig, ax = plt.subplots(figsize=(7, 3.2))
    for name, g in norms.items():
        style = "--" if "plain" in name else "-"
        ax.semilogy(range(1, len(g) + 1), g, style, marker=".", label=name)
    ax.set_xticks(range(1, DEPTH, 2))
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("gradient norm of the weights")
    ax.set_title(f"{DEPTH}-layer MLPs at initialization, one batch of digits")
    ax.legend(fontsize=7)
    fig.savefig("gradient_norms.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
