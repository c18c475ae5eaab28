"""A side classifier in the middle of a deep plain network sends the lower
layers far more gradient than the main loss does when the signal shrinks layer
by layer (PyTorch's default init), and less than the main loss once He init or
BatchNorm keeps it; at inference the side head is not run.

Szegedy et al. 2015, "Going Deeper with Convolutions" (CVPR), Section 5: two
auxiliary classifiers, their losses weighted by 0.3, "increase the gradient
signal that gets propagated back", discarded at inference. Szegedy et al. 2016
(Rethinking the Inception Architecture, Section 4): with BatchNorm they did
not speed up early training. He et al. 2015 (Delving Deep into Rectifiers,
Section 2.2): the init that keeps a ReLU network's signal variance. Data:
scikit-learn's digits.
"""

import math
import os

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
DEPTH, SIDE_AT, WIDTH = 12, 4, 16  # 12 convs; the side head reads conv 4
AUX_WEIGHT = 0.3  # GoogLeNet's weight of each auxiliary loss
NETS = 16  # networks per setting: the ratio varies from one init to the next


# --8<-- [start:model]
def conv_block(c_in: int, batch_norm: bool) -> nn.Sequential:
    norm = nn.BatchNorm2d(WIDTH) if batch_norm else nn.Identity()
    return nn.Sequential(nn.Conv2d(c_in, WIDTH, 3, padding=1), norm, nn.ReLU())


class PlainNetWithSideHead(nn.Module):
    """DEPTH 3x3 convs on (N, 1, 8, 8) digits, a GAP head at the top and a
    small auxiliary head (pool, 1x1 conv, linear) after conv SIDE_AT."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        self.convs = nn.ModuleList(
            conv_block(1 if i == 0 else WIDTH, batch_norm) for i in range(DEPTH)
        )
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(WIDTH, 10)
        )
        self.side_head = nn.Sequential(
            nn.AdaptiveAvgPool2d(2),  # (N, WIDTH, 2, 2)
            nn.Conv2d(WIDTH, WIDTH, 1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(4 * WIDTH, 10),
        )

    def forward(self, x):
        side = None
        for i, block in enumerate(self.convs, start=1):
            x = block(x)  # (N, WIDTH, 8, 8)
            if i == SIDE_AT and self.training:  # only in training
                side = self.side_head(x)
        logits = self.head(x)
        return (logits, side) if self.training else logits


def training_loss(model, x, y):
    logits, side = model(x)
    return F.cross_entropy(logits, y) + AUX_WEIGHT * F.cross_entropy(side, y)


# --8<-- [end:model]


# --8<-- [start:measure]
def first_layer_gradients(model, x, y) -> tuple[float, float]:
    """Norms of the gradient reaching conv 1's weights from the main loss and
    from the weighted side loss, at initialization."""
    logits, side = model(x)
    w = model.convs[0][0].weight
    main = torch.autograd.grad(F.cross_entropy(logits, y), w, retain_graph=True)
    aux = torch.autograd.grad(AUX_WEIGHT * F.cross_entropy(side, y), w)
    return main[0].norm().item(), aux[0].norm().item()


def side_over_main(setting: str, x, y, seed: int) -> float:
    torch.manual_seed(seed)
    model = PlainNetWithSideHead(batch_norm=setting == "BatchNorm").to(x.device)
    if setting == "He init":  # variance-keeping init for ReLU (He et al. 2015)
        for block in model.convs:
            nn.init.kaiming_normal_(block[0].weight, nonlinearity="relu")
            nn.init.zeros_(block[0].bias)
    main, aux = first_layer_gradients(model, x, y)
    return aux / main


# --8<-- [end:measure]


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32, device=device) / 16
    x = x.view(-1, 1, 8, 8)[:256]  # (N, 1, 8, 8): the first 256 digits
    y = torch.tensor(digits.target, device=device)[:256]

    def ratios(setting: str) -> list[float]:
        return [
            side_over_main(setting, x, y, SEED * NETS + k) for k in range(NETS)
        ]

    default, he, bn = (
        ratios("default init"),
        ratios("He init"),
        ratios("BatchNorm"),
    )
    # the default init (uniform, bound 1/sqrt(fan_in)) shrinks the gradient by
    # about sqrt(6) per conv + ReLU: the main loss's arrives ~6^4 times weaker
    # after the 8 convs above the side head
    assert min(default) > 100, f"side/main, default init: {min(default)}"
    assert max(bn) < 0.5, f"side/main gradient, BatchNorm: {max(bn)}"
    assert geometric_mean(he) < 1, f"side/main gradient, He init: {he}"

    model = PlainNetWithSideHead().to(device)
    loss = training_loss(model, x[:64], y[:64])  # train mode: both heads
    assert loss.requires_grad
    model.eval()
    logits = model(x[:64])  # eval mode: only the main head runs
    assert isinstance(logits, torch.Tensor) and logits.shape == (64, 10)
    side_params = sum(p.numel() for p in model.side_head.parameters())
    all_params = sum(p.numel() for p in model.parameters())

    lines = {  # side/main: gradient norms at conv 1, side loss over main loss
        "networks per setting": f"{NETS}",
        "default init, side/main, log10 of geometric mean": (
            f"{math.log10(geometric_mean(default)):.2f} ±0.3"
        ),
        "He init, side/main, geometric mean": f"{geometric_mean(he):.2f} ±0.2",
        "BatchNorm, side/main, geometric mean": (
            f"{geometric_mean(bn):.3f} ±0.04"
        ),
        "side head parameters, unused at inference": (
            f"{side_params} of {all_params}"
        ),
    }
    for label, value in lines.items():
        print(f"{label}: {value}")


if __name__ == "__main__":
    main()
