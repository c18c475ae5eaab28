# bn_relu_order.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/bn_relu_order.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python bn_relu_order.py
#
# kb-download: {"record": "84a943235c5e78c94d2f2650bfa9b0f524e863016b7896d2e10399e686ba1b07", "sources": {"snippets/batch_norm/bn_relu_order.py": "a9a05bbf5bae0a6b607d3bd2d38a756859f727b78ab474468581194dc6c36e8d"}}


# --- the snippet, unchanged: snippets/batch_norm/bn_relu_order.py ---
"""BatchNorm before or after the ReLU: the same small CNN on the digits trains
to a high test accuracy with either order.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Section 3.2: BN is applied to
x = Wu + b, before the nonlinearity. The other order is a design choice, not a
rule; the page compares the two test accuracies over seeds (kb check --seeds 5),
on this one small problem only.
"""

import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
# Largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10), rounded up to one digit.
TOLERANCE = {
    "BN before ReLU, test accuracy": 0.06,
    "BN after ReLU, test accuracy": 0.06,
}


# --8<-- [start:model]
def block(c_in: int, c_out: int, order: str) -> list[nn.Module]:
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=order == "after")
    if order == "before":  # conv -> BN -> ReLU (Ioffe & Szegedy, ResNet)
        return [conv, nn.BatchNorm2d(c_out), nn.ReLU()]
    return [conv, nn.ReLU(), nn.BatchNorm2d(c_out)]  # conv -> ReLU -> BN


def make_cnn(order: str) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        *block(1, 16, order),
        *block(16, 16, order),
        nn.MaxPool2d(2),  # (N, 16, 4, 4)
        *block(16, 32, order),
        nn.MaxPool2d(2),  # (N, 32, 2, 2)
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)
    y = torch.tensor(digits.target, device=device)
    perm = torch.randperm(len(y), device=device)  # split depends on the seed
    train_idx, test_idx = perm[:1400], perm[1400:]

    # --8<-- [start:train]
    accuracy = {}
    for order in ("before", "after"):
        # same seed; "after" convs also draw biases, so the weights after
        # the first conv differ. The order has its own generator: same batches
        torch.manual_seed(SEED)
        model = make_cnn(order).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        batches = torch.Generator(device=device).manual_seed(SEED)
        for epoch in range(3):
            shuffled = train_idx[
                torch.randperm(len(train_idx), device=device, generator=batches)
            ]
            for batch in shuffled.split(64):
                loss = F.cross_entropy(model(x[batch]), y[batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
        model.eval()  # running statistics
        with torch.no_grad():
            pred = model(x[test_idx]).argmax(1)
        accuracy[order] = (pred == y[test_idx]).float().mean().item()
    # --8<-- [end:train]
    for order, acc in accuracy.items():
        assert acc > 0.9, f"both orders train: {order} {acc}"
    for order in ("before", "after"):
        label = f"BN {order} ReLU, test accuracy"
        print(f"{label}: {accuracy[order]:.3f} ±{TOLERANCE[label]}")


if __name__ == "__main__":
    main()
