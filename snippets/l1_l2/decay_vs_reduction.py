"""With reduction="sum" the data gradient grows with the batch size while weight
decay does not, and per epoch the decay is applied once per step.

PyTorch documentation, torch.nn.CrossEntropyLoss (reduction) and torch.optim.SGD
(weight_decay adds wd * w to the gradient once per step); Goodfellow et al.
2016, Deep Learning, Section 7.1.1.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    layer = nn.Linear(16, 4).double().to(device)
    x1 = torch.randn(1, 16, device=device, dtype=torch.float64)
    y1 = torch.tensor([2], device=device)
    wd = 5e-4

    # --8<-- [start:ratio]
    def decay_share(batch: int, reduction: str) -> float:
        x, y = x1.expand(batch, 16), y1.expand(batch)  # batch of copies
        layer.zero_grad()
        F.cross_entropy(layer(x), y, reduction=reduction).backward()
        data = layer.weight.grad.norm()
        return (wd * layer.weight.norm() / data).item()  # decay vs data

    mean_16, mean_64 = decay_share(16, "mean"), decay_share(64, "mean")
    sum_16, sum_64 = decay_share(16, "sum"), decay_share(64, "sum")
    # --8<-- [end:ratio]
    assert abs(mean_16 / mean_64 - 1) < 1e-9  # mean: unchanged
    assert abs(sum_16 / sum_64 - 4) < 1e-9  # sum: 4x weaker
    n, lr = 1024, 0.1
    per_epoch = {b: (1 - lr * wd) ** (n // b) for b in (32, 64)}
    print(
        f"reduction='mean': decay/data, batch 16 vs batch 64: "
        f"{mean_16 / mean_64:.3f}"
    )
    print(
        f"reduction='sum': decay/data, batch 16 vs batch 64: "
        f"{sum_16 / sum_64:.3f}"
    )
    for b, f in per_epoch.items():
        print(f"weight shrink per epoch of {n} samples, batch {b}: {f:.5f}")


if __name__ == "__main__":
    main()
