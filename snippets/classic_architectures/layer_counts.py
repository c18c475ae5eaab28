"""Parameters and multiply-adds per layer, measured with hooks on a meta-device
model, equal a closed-form count.

One multiply-add per weight per output position; biases are counted as
parameters, not as multiply-adds. Checked on LeNet-5 against the "connections"
of LeCun et al. 1998, Proc. IEEE, section II.B, which count each output's bias
as one more connection.
"""

import math
import os

import torch
from torch import nn

from lenet5_digits import lenet5

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:measure]
def measure(model: nn.Module, in_shape: tuple) -> list[dict]:
    """Run a (1, *in_shape) input through a model built on the meta device:
    shapes are computed, nothing is allocated. Record each Conv2d, Linear."""
    rows = []

    def hook(module, inputs, out):
        if isinstance(module, nn.Conv2d):
            c_in, kh, kw = module.weight.shape[1:]  # c_in: per group
            per_output = c_in * kh * kw
        else:
            per_output = module.in_features
        rows.append(
            {
                "shape": tuple(out.shape[1:]),
                "params": sum(p.numel() for p in module.parameters()),
                "macs": out[0].numel() * per_output,
            }
        )

    layers = [
        m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    handles = [m.register_forward_hook(hook) for m in layers]
    model.eval()(torch.empty(1, *in_shape, device="meta"))
    for h in handles:
        h.remove()
    return rows


# --8<-- [end:measure]


# --8<-- [start:closed_form]
def closed_form(spec: list[tuple], c: int, size: int) -> list[dict]:
    """The same rows by arithmetic. spec items: ("conv", c_out, k, stride,
    pad, groups), ("pool", k, stride), ("fc", n_out)."""
    rows = []
    for kind, *args in spec:
        if kind == "conv":
            c_out, k, stride, pad, groups = args
            size = (size + 2 * pad - k) // stride + 1  # floor
            per_output = c // groups * k * k
            rows.append(
                {
                    "shape": (c_out, size, size),
                    "params": c_out * (per_output + 1),
                    "macs": c_out * size * size * per_output,
                }
            )
            c = c_out
        elif kind == "pool":
            k, stride = args
            size = (size - k) // stride + 1
        else:  # "fc"
            n_in, (c,) = c * size * size, args
            size = 1
            rows.append(
                {"shape": (c,), "params": c * (n_in + 1), "macs": c * n_in}
            )
    return rows


# --8<-- [end:closed_form]


def print_table(names: list[str], rows: list[dict]) -> None:
    print(f"{'layer':<7}{'output':>15}{'params':>13}{'mult-adds':>15}")
    for name, r in zip(names, rows):
        shape = "x".join(str(s) for s in r["shape"])
        print(f"{name:<7}{shape:>15}{r['params']:>13,}{r['macs']:>15,}")


LENET5 = [
    ("conv", 6, 5, 1, 0, 1),
    ("pool", 2, 2),
    ("conv", 16, 5, 1, 0, 1),
    ("pool", 2, 2),
    ("conv", 120, 5, 1, 0, 1),
    ("fc", 84),
    ("fc", 10),
]


def main() -> None:
    torch.manual_seed(SEED)
    with torch.device("meta"):  # no weights allocated
        model = lenet5()
    rows = measure(model, (1, 32, 32))
    assert rows == closed_form(LENET5, 1, 32), rows  # two routes agree
    assert sum(r["params"] for r in rows) == 61_706
    # II.B: C1 has 122,304 connections, C5 48,120, F6 10,164 (bias included)
    connections = [r["macs"] + math.prod(r["shape"]) for r in rows]
    assert [connections[i] for i in (0, 2, 3)] == [122_304, 48_120, 10_164]
    print_table(["C1", "C3", "C5", "F6", "output"], rows)
    print("hooks on the meta model == closed form: True")
    print(f"C1 connections (paper: 122,304): {connections[0]:,}")
    print(f"total multiply-adds: {sum(r['macs'] for r in rows):,}")


if __name__ == "__main__":
    main()
