# vgg_counts.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/classic_architectures/vgg_counts.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python vgg_counts.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "7d40a6d0611d7ab8b89889bd09852c66b1a5426a0aab3d6f0b0ad3c0c93c4e9f", "sources": {"snippets/classic_architectures/layer_counts.py": "c2ca75dec36b62e67cbdec05f17729c3f9df300e6dbfc193b6cba2e2a99c5486", "snippets/classic_architectures/lenet5_digits.py": "25b870d299af06c8e7b4007aa89b589f826cb2dc5783a2d2a827f244a872d50d", "snippets/classic_architectures/vgg_counts.py": "08c0c80ee88174541bfb3cd47ab61e335f9174fc856eb934db9ccaf996e77372"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/classic_architectures/lenet5_digits.py
_add_module('lenet5_digits', r'''"""LeNet-5 in its classic shape (5x5 convolutions, 2x2 subsampling, 120-84-10)
learns the 8x8 digits.

LeCun, Bottou, Bengio & Haffner 1998, "Gradient-Based Learning Applied to
Document Recognition", Proc. IEEE, section II.B (LeNet-5: 32x32 input,
C1-S2-C3-S4-C5-F6; its per-layer counts of trainable parameters sum to 60,000).
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


# --8<-- [start:model]
def lenet5() -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 32, 32)
        nn.Conv2d(1, 6, 5),
        nn.Tanh(),  # C1 (N, 6, 28, 28)
        nn.AvgPool2d(2),  # S2 (N, 6, 14, 14)
        nn.Conv2d(6, 16, 5),
        nn.Tanh(),  # C3 (N, 16, 10, 10)
        nn.AvgPool2d(2),  # S4 (N, 16, 5, 5)
        nn.Conv2d(16, 120, 5),
        nn.Tanh(),  # C5 (N, 120, 1, 1)
        nn.Flatten(),
        nn.Linear(120, 84),
        nn.Tanh(),  # F6 (N, 84)
        nn.Linear(84, 10),  # output (N, 10)
    )


def to_32x32(images: torch.Tensor) -> torch.Tensor:
    """(N, 8, 8) digits -> (N, 1, 32, 32): upsample x3, pad 4 on each side,
    so the digit fills the centre 24x24 and C5 sees a blank border."""
    x = F.interpolate(images[:, None], size=24, mode="bilinear")
    return F.pad(x, (4, 4, 4, 4))


# --8<-- [end:model]


def paper_parameter_count() -> int:
    """Section II.B: trainable parameters layer by layer, as in the paper."""
    c1 = 6 * (5 * 5 + 1)  # 156
    s2 = 6 * 2  # coefficient + bias per map
    c3_inputs = 6 * 3 + 9 * 4 + 1 * 6  # Table I: S2 maps per C3 map
    c3 = c3_inputs * 5 * 5 + 16  # 1,516
    s4 = 16 * 2
    c5 = 120 * (16 * 5 * 5 + 1)  # 48,120
    f6 = 84 * (120 + 1)  # 10,164; RBF output: fixed
    return c1 + s2 + c3 + s4 + c5 + f6


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32)
    x = to_32x32(images).to(device)  # (1797, 1, 32, 32)
    y = torch.tensor(digits.target, device=device)
    gen = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y), generator=gen)
    test, train = order[:360], order[360:]  # 20% held out

    model = lenet5().to(device)
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 61_706, (
        f"this LeNet-5 has 61,706 parameters, not {n_params}"
    )
    # II.B's layers, summed
    assert paper_parameter_count() == 60_000, "the paper's layers sum to 60,000"
    assert model(x[:2]).shape == (2, 10)

    # --8<-- [start:train]
    EPOCHS = 6
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    curve = []  # (epoch, loss, test acc)
    for epoch in range(1, EPOCHS + 1):
        model.train()
        total = 0.0
        for batch in train[torch.randperm(len(train), generator=gen)].split(64):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        model.eval()
        with torch.no_grad():
            acc = (model(x[test]).argmax(1) == y[test]).float().mean().item()
        curve.append((epoch, total / len(train), acc))
    # --8<-- [end:train]
    assert curve[-1][1] < 0.25 * curve[0][1], curve  # the loss fell
    assert acc > 0.9, acc
    print(f"parameters of this LeNet-5: {n_params:,}")
    print(f"epochs: {EPOCHS}")
    print(f"training images: {len(train)}")
    print(
        f"parameters as the paper counts them (II.B): "
        f"{paper_parameter_count():,}"
    )
    print(f"input: 8x8 digits -> {tuple(x.shape[1:])}")
    print(f"final train loss: {curve[-1][1]:.3f} ±0.02")
    print(f"test accuracy: {acc:.3f} ±0.02")

    fig, ax = plt.subplots(figsize=(6, 2.8))
    epochs = [c[0] for c in curve]
    ax.plot(epochs, [c[1] for c in curve], marker="o", label="train loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean train loss")
    ax2 = ax.twinx()
    ax2.plot(
        epochs,
        [c[2] for c in curve],
        marker="s",
        color="C1",
        label="test accuracy",
    )
    ax2.set_ylabel("test accuracy")
    ax.set_title("LeNet-5 on the 8x8 digits (resized to 32x32)")
    fig.legend(loc="center right", fontsize=8, bbox_to_anchor=(0.85, 0.5))
    fig.savefig("lenet5_curve.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
''')


# snippets/classic_architectures/layer_counts.py
_add_module('layer_counts', r'''"""Parameters and multiply-adds per layer, measured with hooks on a meta-device
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
''')


# --- the snippet, unchanged: snippets/classic_architectures/vgg_counts.py ---
"""VGG's configurations A-E have the parameter counts of its Table 2, and VGG-16
needs 15.5 G multiply-adds at 224x224.

Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR: section 2.1 (3x3 convolutions, stride 1, padding 1;
2x2 max-pooling; FC 4096-4096-1000), Table 1 (configurations A-E), Table 2
(parameters in millions: 133, 133, 133, 134, 138, 144). The paper gives no
multiply-add count; He et al. 2016 (ResNet, section 4.1) quote 15.3 billion.
"""

import os

import torch
from torch import nn

from layer_counts import closed_form, measure, print_table

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

# --8<-- [start:configs]
M = "M"  # 2x2 max-pooling, stride 2
CONFIGS = {  # Table 1; (c, 1) is a 1x1 conv
    "A": [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
    "B": [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
    "C": [64, 64, M, 128, 128, M, 256, 256, (256, 1), M,
          512, 512, (512, 1), M, 512, 512, (512, 1), M],
    "D": [64, 64, M, 128, 128, M, 256, 256, 256, M,
          512, 512, 512, M, 512, 512, 512, M],  # VGG-16
    "E": [64, 64, M, 128, 128, M, 256, 256, 256, 256, M,
          512, 512, 512, 512, M, 512, 512, 512, 512, M],  # VGG-19
}  # fmt: skip


def vgg(config: list, lrn: bool = False) -> nn.Sequential:
    layers, c_in = [], 3
    for v in config:
        if v == M:
            layers.append(nn.MaxPool2d(2, 2))
            continue
        c, k = v if isinstance(v, tuple) else (v, 3)
        layers += [nn.Conv2d(c_in, c, k, padding=k // 2), nn.ReLU()]
        if lrn and c_in == 3:  # A-LRN, with AlexNet's constants (VGG 2.1)
            layers.append(nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0))
        c_in = c
    return nn.Sequential(
        *layers,
        nn.Flatten(),  # (N, 512*7*7)
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(4096, 1000),
    )


# --8<-- [end:configs]

TABLE_2 = {"A": 133, "A-LRN": 133, "B": 133, "C": 134, "D": 138, "E": 144}


def spec(config: list) -> list[tuple]:
    """Table 1 as rows for layer_counts.closed_form."""
    rows = []
    for v in config:
        c, k = v if isinstance(v, tuple) else (v, 3)
        rows.append(("pool", 2, 2) if v == M else ("conv", c, k, 1, k // 2, 1))
    return rows + [("fc", 4096), ("fc", 4096), ("fc", 1000)]


def main() -> None:
    torch.manual_seed(SEED)
    # --8<-- [start:table2]
    counts = {}
    with torch.device("meta"):  # 138M weights: no memory
        for name, paper_millions in TABLE_2.items():
            model = vgg(CONFIGS[name[0]], lrn=name == "A-LRN")
            counts[name] = sum(p.numel() for p in model.parameters())
            assert round(counts[name] / 1e6) == paper_millions, name
        vgg16 = vgg(CONFIGS["D"])
    rows = measure(vgg16, (3, 224, 224))
    assert rows == closed_form(spec(CONFIGS["D"]), 3, 224)
    # --8<-- [end:table2]
    macs = sum(r["macs"] for r in rows)
    conv_macs = sum(r["macs"] for r in rows[:13])
    assert round(macs / 1e9, 1) == 15.5 and round(conv_macs / 1e9, 1) == 15.3
    names = [f"conv{i}" for i in range(1, 14)] + ["fc14", "fc15", "fc16"]
    print(
        "Table 2, parameters (millions): "
        + ", ".join(f"{k} {v / 1e6:.1f}" for k, v in counts.items())
    )
    print_table(names, rows)
    print(f"VGG-16 parameters: {counts['D']:,}")
    print(f"VGG-16 multiply-adds, conv layers: {conv_macs / 1e9:.2f} G")
    print(f"VGG-16 multiply-adds, all layers: {macs / 1e9:.2f} G")


if __name__ == "__main__":
    main()
