"""Batch norm followed by noise that shifts and rescales every channel anew at
each step still trains the CNN at the high learning rate where the network
without BN stalls, although the next layer's inputs now move far more from
step to step: BN's benefit here does not come from keeping those inputs
still.

Santurkar, Tsipras, Ilyas & Madry 2018, "How Does Batch Normalization Help
Optimization?", NeurIPS, Section 2.1 ("noisy" BN: noise of non-zero mean and
non-unit variance after each BN layer, redrawn at every step).
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

from high_lr_training import make_cnn, train  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
EPOCHS = 6


# --8<-- [start:noisy]
class NoisyBN(nn.Module):
    """BatchNorm2d, then in training a random shift and scale per channel,
    drawn anew at every step: a moving input distribution for the next
    layer, which BN was meant to prevent."""

    def __init__(self, bn: nn.BatchNorm2d, spread: float = 0.5):
        super().__init__()
        self.bn, self.spread = bn, spread

    def forward(self, x):
        y = self.bn(x)
        if not self.training:
            return y
        c = y.shape[1]
        shift = (torch.rand(c, device=y.device) * 2 - 1) * self.spread
        scale = 1 + (torch.rand(c, device=y.device) * 2 - 1) * self.spread / 2
        return y * scale.view(1, c, 1, 1) + shift.view(1, c, 1, 1)


def noisy_cnn() -> nn.Sequential:
    layers = list(make_cnn(batch_norm=True))
    for i, m in enumerate(layers):
        if isinstance(m, nn.BatchNorm2d):
            layers[i] = NoisyBN(m)
    return nn.Sequential(*layers)


# --8<-- [end:noisy]


def input_drift(model, x, y, lr: float, steps: int = 20) -> float:
    """How far the second convolution's input moves per training step: the
    mean absolute change of its per-channel means on a fixed batch, over
    `steps` more SGD steps (the internal covariate shift BN was meant to
    reduce)."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    probe, means = x[:256], []
    for _ in range(steps):
        batch = torch.randint(len(y), (128,), device=y.device)
        loss = F.cross_entropy(model(x[batch]), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():  # after the first block, in training mode
            means.append(model[:3](probe).mean((0, 2, 3)))
    means = torch.stack(means)
    return (means[1:] - means[:-1]).abs().mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    x, y = x.to(device), torch.tensor(digits.target, device=device)
    # --8<-- [start:run]
    runs = {
        "without BN": lambda: make_cnn(batch_norm=False),
        "with BN": lambda: make_cnn(batch_norm=True),
        "with noisy BN": noisy_cnn,
    }
    loss, acc, drift = {}, {}, {}
    for name, make in runs.items():
        torch.manual_seed(SEED)  # same init for BN and noisy BN; same batches
        model = make().to(device)
        loss[name], _ = train(model, x, y, lr=0.2, epochs=EPOCHS)
        with torch.no_grad():  # without the noise: eval mode
            acc[name] = (model.eval()(x).argmax(1) == y).float().mean().item()
        drift[name] = input_drift(model.train(), x, y, lr=0.2)
    plain, bn, noisy = (loss[n][-1] for n in runs)
    assert drift["with noisy BN"] > 10 * drift["with BN"], (
        f"the noise moves the next layer's inputs far more {drift}"
    )
    assert noisy < 0.5 * plain, (
        f"noisy BN still trains where the network without BN stalls {loss}"
    )
    # --8<-- [end:run]
    print(f"learning rate 0.2, epochs: {EPOCHS}")
    print("next layer's input drift per step, noisy BN / BN: above 10")
    tol = {"with BN": 0.2, "with noisy BN": 0.2}
    for name in tol:
        print(
            f"{name}, train accuracy in eval mode: {acc[name]:.3f} ±{tol[name]}"
        )
    print("with noisy BN, final train loss: below half of the run without BN")


if __name__ == "__main__":
    main()
