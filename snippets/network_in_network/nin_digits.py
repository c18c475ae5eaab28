"""A small NiN (mlpconv blocks + global average pooling, no fully connected
layer) learns 8x8 digits.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Sections 3.1-3.2; data:
scikit-learn's digits.
"""

import os
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def mlpconv(c_in: int, c_mid: int, c_out: int) -> nn.Sequential:
    # 3x3 conv then two 1x1 convs; the BatchNorm is a modern addition (NiN
    # predates it) that makes this tiny net train in a few epochs
    return nn.Sequential(
        nn.Conv2d(c_in, c_mid, 3, padding=1),
        nn.BatchNorm2d(c_mid),
        nn.ReLU(),
        nn.Conv2d(c_mid, c_mid, 1),
        nn.ReLU(),
        nn.Conv2d(c_mid, c_out, 1),
    )


# --8<-- [start:model]
def tiny_nin(classes: int = 10) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        mlpconv(1, 32, 32),
        nn.ReLU(),  # (N, 32, 8, 8)
        nn.MaxPool2d(2),  # (N, 32, 4, 4)
        mlpconv(32, 32, classes),  # (N, 10, 4, 4): one map per class
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),  # (N, 10): the class scores, no FC
    )


def tiny_fc(classes: int = 10) -> nn.Sequential:
    # same body, but the last block ends in 32 feature maps that a fully
    # connected layer reads
    return nn.Sequential(
        mlpconv(1, 32, 32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        mlpconv(32, 32, 32),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, classes),  # (N, 512) -> (N, 10)
    )


# --8<-- [end:model]


# --8<-- [start:train]
def train(model, x_tr, y_tr, x_te, y_te, epochs=8, batch=64, generator=None):
    # generator: the order of the batches (None: torch's global seed)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    # learning rate decays linearly to 0
    steps = epochs * -(-len(x_tr) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / steps)
    losses, accs = [], []
    for epoch in range(epochs):
        model.train()
        perm, total = torch.randperm(len(x_tr), generator=generator), 0.0
        for i in range(0, len(x_tr), batch):
            idx = perm[i : i + batch]
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            accs.append((model(x_te).argmax(1) == y_te).float().mean().item())
        losses.append(total / len(x_tr))
    return losses, accs


# --8<-- [end:train]


def count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    # (1797, 1, 8, 8)
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(digits.target)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=0.25, random_state=0, stratify=y
    )
    x_tr, x_te, y_tr, y_te = (t.to(device) for t in (x_tr, x_te, y_tr, y_te))

    model = tiny_nin().to(device)
    losses, accs = train(model, x_tr, y_tr, x_te, y_te)
    nin_params, fc_params = count(model), count(tiny_fc())
    assert accs[-1] > 0.9, accs  # learns without any FC layer
    assert losses[-1] < 0.2 * losses[0], losses
    assert nin_params < fc_params

    print(f"NiN + GAP parameters: {nin_params}")
    print(f"same body + FC parameters: {fc_params}")
    print(f"NiN + GAP final training loss: {losses[-1]:.3f} ±0.08")
    print(f"NiN + GAP test accuracy: {accs[-1]:.3f} ±0.02")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7, 3))
    epochs = range(1, len(losses) + 1)
    ax1.plot(epochs, losses, label="training loss")
    ax1.plot(epochs, accs, label="test accuracy")
    ax1.set(
        xlabel="epoch", ylabel="loss / accuracy", title="Tiny NiN on 8x8 digits"
    )
    ax1.legend()
    ax2.bar(
        ["NiN + GAP", "same body + FC"],
        [nin_params, fc_params],
        color=["C0", "C1"],
    )
    ax2.set(ylabel="parameters", title="Model size")
    fig.tight_layout()
    fig.savefig("nin_digits.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
