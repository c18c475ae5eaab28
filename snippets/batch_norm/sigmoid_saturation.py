"""With large initial weights a deep sigmoid MLP saturates and its first layer
gets almost no gradient; a BatchNorm1d before each sigmoid brings the units back
to the sigmoid's sensitive region and the gradient back to the first layer.

Ioffe & Szegedy 2015, "Batch Normalization", ICML: sigmoid saturation and
vanishing gradients (Section 1); BN keeps training from getting stuck in the
saturated regimes of nonlinearities (Section 3.3); their BN-x5-Sigmoid model
trains where the same Inception with sigmoids and no BN does not (Section
4.2.2). Measured here at initialization only.
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
DEPTH, WIDTH = 8, 64  # eight sigmoid layers
WEIGHT_SCALE = 4.0  # init std = 4 / sqrt(fan_in): deliberately too large


# --8<-- [start:model]
def make_mlp(batch_norm: bool) -> nn.Sequential:
    layers, fan_in = [], 64  # digits: 8x8 = 64 pixels
    for _ in range(DEPTH):
        layers.append(nn.Linear(fan_in, WIDTH))
        if batch_norm:
            layers.append(nn.BatchNorm1d(WIDTH))  # before the sigmoid
        layers.append(nn.Sigmoid())
        fan_in = WIDTH
    layers.append(nn.Linear(WIDTH, 10))
    return nn.Sequential(*layers)


def large_init(model: nn.Sequential) -> None:
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=WEIGHT_SCALE / m.in_features**0.5)
            nn.init.normal_(m.bias, std=1.0)


def saturation_and_grad(model, x, y):
    outs = []  # the output of every sigmoid
    hooks = [
        m.register_forward_hook(lambda m, i, o: outs.append(o.detach()))
        for m in model
        if isinstance(m, nn.Sigmoid)
    ]
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()  # train(): batch statistics
    for h in hooks:
        h.remove()
    a = torch.cat([o.flatten() for o in outs])
    saturated = ((a < 0.05) | (a > 0.95)).double().mean().item()
    return saturated, model[0].weight.grad.norm().item()


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float64, device=device)
    x = (x - x.mean(0)) / (x.std(0) + 1e-8)  # standardized pixels
    y = torch.tensor(digits.target, device=device)

    # --8<-- [start:compare]
    plain = make_mlp(batch_norm=False).double().to(device)
    large_init(plain)
    with_bn = make_mlp(batch_norm=True).double().to(device)
    linear_bn = [m for m in with_bn if isinstance(m, nn.Linear)]
    linear_plain = [m for m in plain if isinstance(m, nn.Linear)]
    for src, dst in zip(linear_plain, linear_bn):
        dst.load_state_dict(src.state_dict())  # the very same weights
    sat_plain, grad_plain = saturation_and_grad(plain, x, y)
    sat_bn, grad_bn = saturation_and_grad(with_bn, x, y)
    assert sat_bn < sat_plain, (
        f"BN lowers the saturated fraction: {sat_bn} vs {sat_plain}"
    )
    assert grad_bn > grad_plain, (
        f"BN raises the first-layer gradient: {grad_bn} vs {grad_plain}"
    )
    # --8<-- [end:compare]
    # BN's output before each sigmoid has mean 0 and variance 1 per unit
    z = with_bn[1](with_bn[0](x))
    torch.testing.assert_close(z.mean(0), torch.zeros_like(z.mean(0)))
    torch.testing.assert_close(
        z.var(0, unbiased=False), torch.ones_like(z[0]), atol=1e-4, rtol=0
    )
    print(f"saturated sigmoid outputs, without BN: {sat_plain:.3f}")
    print(f"saturated sigmoid outputs, with BN: {sat_bn:.3f}")
    print(f"first-layer gradient norm, without BN: {grad_plain:.3e}")
    print(f"first-layer gradient norm, with BN: {grad_bn:.3e}")
    ratio = grad_bn / grad_plain
    print(f"first-layer gradient, with BN / without BN: {ratio:.1f}")


if __name__ == "__main__":
    main()
