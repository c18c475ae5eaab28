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
