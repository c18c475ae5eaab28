# gap_vs_fc.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/gap_vs_fc.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python gap_vs_fc.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "c5367d04b959447a20e24e26701ad8673e076ebca26818bc59831bb12637b220", "sources": {"snippets/network_in_network/gap_vs_fc.py": "4674555ecc7db9bce59e4e59d14c5cee72f69bf3c363ad324bd4567ad6484b37", "snippets/network_in_network/nin_digits.py": "a1abb1e6c463c5b9317eaa6b61353881a0e3c203f447496a3f3adef84ab5358a"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/network_in_network/nin_digits.py
_add_module('nin_digits', r'''"""A small NiN (mlpconv blocks + global average pooling, no fully connected
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
''')


# --- the snippet, unchanged: snippets/network_in_network/gap_vs_fc.py ---
"""Trained on 150 digits, a GAP head and a fully connected head on the same
mlpconv body both fit the training set; which one generalizes better is measured
over seeds, not asserted.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2 (global average
pooling as a structural regularizer) and Section 4.6 (GAP versus a fully
connected head, with and without dropout, on CIFAR-10); data: scikit-learn's
digits.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn
from sklearn.datasets import load_digits

from nin_digits import count, mlpconv, train  # the block and training loop

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, EPOCHS, BATCH = 150, 30, 32  # few digits: room to overfit


# --8<-- [start:heads]
def body(c_last: int) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        mlpconv(1, 32, 32),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 4, 4)
        mlpconv(32, 32, c_last),  # (N, c_last, 4, 4)
    )


def gap_net(classes: int = 10) -> nn.Sequential:
    # one map per class, averaged: the head has no parameters
    return nn.Sequential(body(classes), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def fc_net(classes: int = 10) -> nn.Sequential:
    # 32 maps, flattened, read by a dense layer: (N, 512) -> (N, 10)
    return nn.Sequential(
        body(32), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, classes)
    )


# --8<-- [end:heads]


# --8<-- [start:train]
@torch.no_grad()
def accuracy(model, x, y) -> float:
    return (model(x).argmax(1) == y).float().mean().item()


def fit_and_score(make, x, y, train_idx, test_idx) -> tuple:
    torch.manual_seed(SEED)  # both heads start from the same seed...
    model = make().to(x.device)
    order = torch.Generator().manual_seed(SEED)  # ...and see the same batches
    x_tr, y_tr = x[train_idx], y[train_idx]
    x_te, y_te = x[test_idx], y[test_idx]
    # nin_digits.py's train: Adam, learning rate decaying linearly to 0; it
    # scores every epoch on the set it is given last: here the 150 training
    # digits (cheap), the test digits are scored once at the end
    _, accs = train(model, x_tr, y_tr, x_tr, y_tr, EPOCHS, BATCH, order)
    return count(model), accs[-1], accuracy(model, x_te, y_te)


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target, device=device)
    # a fresh draw of the 150 training digits for every seed; the rest test
    order = torch.randperm(
        len(y), generator=torch.Generator().manual_seed(SEED)
    )
    train_idx, test_idx = order[:N_TRAIN].to(device), order[N_TRAIN:].to(device)

    results = {
        name: fit_and_score(make, x, y, train_idx, test_idx)
        for name, make in (("GAP head", gap_net), ("FC head", fc_net))
    }

    (gap_params, gap_tr, gap_te), (fc_params, fc_tr, fc_te) = results.values()
    # FC adds the dense layer, and its last 1x1 conv makes 32 maps, not 10
    extra = count(nn.Linear(32 * 4 * 4, 10)) + (32 - 10) * (32 + 1)
    assert fc_params - gap_params == extra, (gap_params, fc_params, extra)
    # both heads fit the training digits: the test accuracy separates them
    assert gap_tr > 0.95 and fc_tr > 0.95, (
        f"both heads fit the training digits: {gap_tr:.3f}, {fc_tr:.3f}"
    )
    assert gap_te > 0.8 and fc_te > 0.8, (gap_te, fc_te)

    print(f"training digits: {len(train_idx)}")
    print(f"test digits: {len(test_idx)}")
    for name, (params, acc_tr, acc_te) in results.items():
        print(f"{name}, parameters: {params}")
        print(f"{name}, train accuracy: {acc_tr:.3f} ±0.01")
        # over seeds 0-9 and other kernels (kb check --seeds 10)
        tol = {"GAP head": 0.07, "FC head": 0.03}[name]
        print(f"{name}, test accuracy: {acc_te:.3f} ±{tol}")


if __name__ == "__main__":
    main()
