"""The receptive field from the recursive formula r += (k_eff - 1) j, j *= s
matches, pixel for pixel, the input region a backpropagated gradient reaches.

Araujo, Norris & Sim 2019, "Computing Receptive Fields of Convolutional Neural
Networks", Distill (the recursion over kernel size, stride, padding and
dilation); Dumoulin & Visin 2016 (arXiv 1603.07285), Section 5.1 (effective
kernel size of a dilated kernel).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

# (layer, kernel, stride, padding, dilation)
LAYERS = [
    ("conv", 3, 1, 1, 1),
    ("conv", 3, 2, 1, 1),
    ("pool", 2, 2, 0, 1),
    ("conv", 3, 1, 2, 2),
    ("conv", 5, 1, 2, 1),
    ("pool", 3, 2, 1, 1),
    ("conv", 3, 1, 3, 3),
]


def make_model(channels: int = 4) -> nn.Sequential:
    layers, c = [], 1
    for kind, k, s, p, d in LAYERS:
        if kind == "conv":
            layers += [nn.Conv2d(c, channels, k, s, p, d), nn.ReLU()]
            c = channels
        else:
            layers.append(nn.MaxPool2d(k, s, p, d))
    return nn.Sequential(*layers)


# --8<-- [start:formula]
def receptive_field(layers):
    """Size r, jump j (input pixels between neighbouring outputs) and the
    centre c0 of output 0's field, in input pixel indices."""
    r, j, c0 = 1, 1, 0.0
    for _, k, s, p, d in layers:
        k_eff = d * (k - 1) + 1  # span of a dilated kernel
        r += (k_eff - 1) * j  # grows by the span, in input pixels
        c0 += ((k_eff - 1) / 2 - p) * j  # padding shifts the first window
        j *= s
    return r, j, c0


# --8<-- [end:formula]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    r, j, c0 = receptive_field(LAYERS)
    model = make_model().to(device)
    # --8<-- [start:measure]
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.uniform_(0.1, 1.0)  # all positive: nothing cancels
                m.bias.zero_()
    x = torch.rand(256, 1, 128, 128, device=device, requires_grad=True)
    out = model(x)  # (256, 4, 16, 16)
    u = out.shape[-1] // 2  # an output unit in the middle
    out[:, :, u, u].sum().backward()  # one unit, 256 random inputs:
    reached = x.grad.abs().sum((0, 1)) > 0  # each max-pool input wins once
    rows = reached.any(1).nonzero().flatten()
    cols = reached.any(0).nonzero().flatten()
    # --8<-- [end:measure]
    lo = c0 + u * j - (r - 1) / 2  # predicted first row / column
    assert lo >= 0 and lo + r <= x.shape[-1]  # the field lies inside the input
    assert rows.min() == lo and rows.max() == lo + r - 1, (rows, lo, r)
    assert cols.min() == lo and cols.max() == lo + r - 1
    holes = (
        (~reached[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1])
        .sum()
        .item()
    )
    assert holes == 0
    print(f"receptive field from the formula: {r} x {r}")
    print(f"jump (total stride): {j}")
    print(
        f"measured by backprop: {rows.max() - rows.min() + 1} x "
        f"{cols.max() - cols.min() + 1}"
    )
    print(f"first input row, formula / measured: {int(lo)} / {rows.min()}")
    print(f"pixels inside the field the gradient never reached: {holes}")


if __name__ == "__main__":
    main()
