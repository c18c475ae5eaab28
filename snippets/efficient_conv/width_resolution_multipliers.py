"""Width multiplier alpha and resolution multiplier rho: cost ~ alpha^2 rho^2.

Howard et al. 2017, "MobileNets", arXiv 1704.04861, Section 3.3 (width
multiplier: cost and parameters fall "roughly" by alpha^2) and Section 3.4
(resolution multiplier: cost falls by rho^2, parameters do not change).
"""

import os
import sys
from fractions import Fraction
from pathlib import Path

# separable_cost.py, whose multiply-add counter we reuse, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn

from separable_cost import count_mult_adds

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
WIDTHS = [32, 64, 128, 128, 256]  # first conv, then 4 dw-separable layers
STRIDES = [2, 1, 2, 1, 2]  # the first layer's stride, then each dw's


# --8<-- [start:model]
def mobilenet_stack(alpha: float) -> nn.Sequential:
    """A full 3x3 conv from RGB, then depthwise + pointwise pairs (Table 1)."""
    w = [int(alpha * c) for c in WIDTHS]  # every width thinned by alpha
    layers = [nn.Conv2d(3, w[0], 3, STRIDES[0], 1, bias=False)]  # 3 stays 3
    for c_in, c_out, s in zip(w, w[1:], STRIDES[1:]):
        layers += [
            nn.Conv2d(c_in, c_in, 3, s, 1, groups=c_in, bias=False),  # dw
            nn.Conv2d(c_in, c_out, 1, bias=False),  # pw
        ]
    return nn.Sequential(*layers)


# --8<-- [end:model]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def costs_by_kind(net: nn.Sequential, x: torch.Tensor) -> dict:
    """Mult-adds and weights of the first, depthwise and pointwise convs."""
    out = {"first": [0, 0], "dw": [0, 0], "pw": [0, 0]}
    for conv in net:
        kind = (
            "first"
            if conv.in_channels == 3
            else "dw"
            if conv.groups > 1
            else "pw"
        )
        out[kind][0] += count_mult_adds(conv, x)
        out[kind][1] += n_params(conv)
        with torch.no_grad():
            x = conv(x)
    return out


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    full = 64  # input resolution at rho = 1
    x = torch.randn(1, 3, full, full, device=device)
    base = costs_by_kind(mobilenet_stack(1.0).to(device), x)
    macs_1 = sum(v[0] for v in base.values())  # alpha = rho = 1
    params_1 = sum(v[1] for v in base.values())
    # --8<-- [start:check]
    f, dw, pw = (base[k][0] for k in ("first", "dw", "pw"))  # at alpha = 1
    pf, pdw, ppw = (base[k][1] for k in ("first", "dw", "pw"))
    for alpha in (1, Fraction(3, 4), Fraction(1, 2)):
        net = mobilenet_stack(float(alpha)).to(device)
        macs = {}
        for rho in (1, Fraction(1, 2)):
            size = int(full * rho)
            x = torch.randn(1, 3, size, size, device=device)
            macs[rho] = count_mult_adds(net, x)  # counted from the modules
            # Howard 3.3-3.4: the first conv (its 3 input channels are not
            # thinned) and the depthwise convs scale with alpha, the
            # pointwise convs with alpha^2; every layer with rho^2
            assert macs[rho] == rho**2 * (alpha * (f + dw) + alpha**2 * pw)
        assert n_params(net) == alpha * (pf + pdw) + alpha**2 * ppw  # no rho
        assert macs[Fraction(1, 2)] * 4 == macs[1], "rho 1/2: a quarter"
        cost = Fraction(macs[1], macs_1)
        assert alpha**2 <= cost < alpha**2 * Fraction(23, 20), (
            f"the cost ratio is within 15% above alpha^2 {(alpha, cost)}"
        )
        # --8<-- [end:check]
        a = f"alpha {float(alpha):g}"
        print(f"{a}, rho 1, multiply-adds: {macs[1]}")
        print(f"{a}, rho 0.5, multiply-adds: {macs[Fraction(1, 2)]}")
        if alpha != 1:
            print(f"{a}, cost ratio: {float(cost):.3f}")
            print(f"{a}, weight ratio: {n_params(net) / params_1:.3f}")
    print("rho 0.5, cost ratio at every alpha: 0.25")
    print(f"conv weights at alpha 1, any rho: {params_1}")
    print(f"pointwise share of multiply-adds at alpha 1: {pw / macs_1:.3f}")


if __name__ == "__main__":
    main()
