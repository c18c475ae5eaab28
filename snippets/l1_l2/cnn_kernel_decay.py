"""Weight decay (an L2 penalty) applies to convolution kernels too, and keeps
their norms small.

Standard for CNNs: Krizhevsky, Sutskever & Hinton 2012 (AlexNet, NIPS), Section
5, weight decay 0.0005; Simonyan & Zisserman 2015 (VGG, ICLR), Section 3.1,
5e-4; He et al. 2016 (ResNet, CVPR), Section 3.4, 0.0001.
"""

import os
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
def make_cnn() -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 4, 4)
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 2, 2)
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


def conv_kernel_norm(model: nn.Module) -> float:
    # L2 norm of all convolution kernels together
    return torch.sqrt(
        sum((m.weight**2).sum() for m in model if isinstance(m, nn.Conv2d))
    ).item()


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
    perm = torch.randperm(len(y), device=device)
    train_idx, test_idx = perm[:1400], perm[1400:]

    norms = {}
    # --8<-- [start:train]
    for wd in [0.0, 5e-3]:
        torch.manual_seed(SEED)  # same initial kernels for both runs
        model = make_cnn().to(device)
        init_norm = conv_kernel_norm(model)
        opt = torch.optim.SGD(
            model.parameters(), lr=0.1, momentum=0.9, weight_decay=wd
        )
        for epoch in range(15):
            for batch in train_idx.split(100):
                opt.zero_grad()
                F.cross_entropy(model(x[batch]), y[batch]).backward()
                opt.step()
        with torch.no_grad():
            acc = (
                (model(x[test_idx]).argmax(1) == y[test_idx])
                .float()
                .mean()
                .item()
            )
        norms[wd] = conv_kernel_norm(model)
        # spread over seeds 0-4: kb check --seeds 5
        tol = {0.0: 0.7, 5e-3: 0.4}[wd]
        print(f"weight_decay={wd} conv kernel norm: {norms[wd]:.3f} ±{tol}")
        print(f"weight_decay={wd} test accuracy: {acc:.3f} ±0.02")
    # --8<-- [end:train]
    print(f"conv kernel norm at init: {init_norm:.3f} ±0.1")
    # decay keeps the kernels clearly smaller
    assert norms[5e-3] < 0.8 * norms[0.0], norms
    ratio = norms[5e-3] / norms[0.0]
    print(f"kernel norm ratio (decay / no decay): {ratio:.3f} ±0.05")


if __name__ == "__main__":
    main()
