# gap_and_dropout.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/gap_and_dropout.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python gap_and_dropout.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "150a1beb3b9dbb3de009b39878e225e414ee4d18f59849adf2353c7b774c2ec4", "sources": {"snippets/network_in_network/gap_and_dropout.py": "6c842a3adec375ed535bef58356bc9bc8c1eebc0127a61d910f68486183f02c1", "snippets/network_in_network/nin_digits.py": "a1abb1e6c463c5b9317eaa6b61353881a0e3c203f447496a3f3adef84ab5358a"}}


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


# --- the snippet, unchanged: snippets/network_in_network/gap_and_dropout.py ---
"""Does a network with a GAP head still gain from dropout? The tiny NiN,
trained on 150 digits with and without dropout between its two mlpconv blocks;
the difference in test accuracy is measured over seeds, not asserted. The
BatchNorm one (linear) convolution after the dropout shows the variance shift;
recomputing its statistics with the dropout off removes it and moves test
accuracy by < 0.02.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2 (GAP as a
structural regularizer) and Section 4.1 (dropout on the outputs of all but the
last mlpconv layer); Szegedy et al. 2015, "Going Deeper with Convolutions"
(CVPR), Section 5 (dropout "remained essential" after average pooling);
Li, Chen, Hu & Yang 2019, "Understanding the Disharmony between Dropout and
Batch Normalization by Variance Shift" (CVPR); data: scikit-learn's digits.
"""

import copy
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn
from sklearn.datasets import load_digits

from nin_digits import count, mlpconv, train  # the block and training loop

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
N_TRAIN, EPOCHS, BATCH = 150, 60, 32  # few digits: room to overfit


def gap_net(p_drop: float, classes: int = 10) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        mlpconv(1, 32, 32),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 4, 4)
        nn.Dropout(p_drop),  # NiN: dropout between mlpconv blocks (4.1)
        mlpconv(32, 32, classes),  # (N, 10, 4, 4): one map per class
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),  # (N, 10): the GAP head, no parameters
    )


# --8<-- [end:model]


@torch.no_grad()
def accuracy(model, x, y) -> float:
    return (model(x).argmax(1) == y).float().mean().item()


def fit_and_score(p_drop, x, y, train_idx, test_idx) -> tuple:
    torch.manual_seed(SEED)  # both start from the same weights...
    model = gap_net(p_drop).to(x.device)
    order = torch.Generator().manual_seed(SEED)  # ...and see the same batches
    x_tr, y_tr = x[train_idx], y[train_idx]
    # nin_digits.py's train: Adam, learning rate decaying linearly to 0; it
    # scores every epoch (in eval mode) on the set it is given last
    _, accs = train(model, x_tr, y_tr, x_tr, y_tr, EPOCHS, BATCH, order)
    return model, accs[-1], accuracy(model, x[test_idx], y[test_idx])


# --8<-- [start:shift]
@torch.no_grad()
def variance_ratio(model, x) -> float:
    # the BatchNorm one convolution after the dropout (model[4][1]) normalizes
    # with running_var, averaged over training batches that had dropout on; in
    # eval the dropout is off and its input varies less (Li et al. 2019)
    model.eval()
    conv, bn = model[4][0], model[4][1]
    h = conv(model[:4](x))  # what the BatchNorm sees at test time
    return (h.var(dim=(0, 2, 3)) / bn.running_var).mean().item()


@torch.no_grad()
def recompute_batchnorm(model, x_tr) -> nn.Sequential:
    # a copy whose BatchNorm statistics are averaged over the training digits
    # with the dropout off, as eval() will see them
    fixed = copy.deepcopy(model).train()
    fixed[3].eval()  # dropout off, BatchNorm still collecting
    for bn in (m for m in fixed.modules() if isinstance(m, nn.BatchNorm2d)):
        bn.reset_running_stats()
        bn.momentum = None  # a plain average over the batches seen
    fixed(x_tr)
    return fixed.eval()


# --8<-- [end:shift]


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

    plain, plain_tr, plain_te = fit_and_score(0.0, x, y, train_idx, test_idx)
    drop, drop_tr, drop_te = fit_and_score(0.5, x, y, train_idx, test_idx)

    assert count(plain) == count(drop), "dropout adds no parameters"
    # dropout acts in training only: two train-mode passes differ, eval does not
    sample = x[test_idx[:64]]
    drop.train()
    assert not torch.equal(drop(sample), drop(sample)), (
        "in train mode, dropout draws a new mask every pass"
    )
    drop.eval()
    assert torch.equal(drop(sample), drop(sample)), "eval() turns dropout off"

    x_te, y_te = x[test_idx], y[test_idx]
    assert plain_tr > 0.95 and drop_tr > 0.95, (
        f"both fit the training digits: {plain_tr:.3f}, {drop_tr:.3f}"
    )
    # the BatchNorm after the dropout: its running_var against the variance
    # it sees in eval, before and after recomputing its statistics
    fixed = recompute_batchnorm(drop, x[train_idx])
    fixed_te = accuracy(fixed, x_te, y_te)
    ratios = [variance_ratio(m, x_te) for m in (plain, drop, fixed)]
    assert ratios[1] < 0.8 < min(ratios[0], ratios[2]), (
        "with dropout before it, BatchNorm expects more variance than eval "
        f"gives; recomputed, it does not: {ratios}"
    )
    assert abs(fixed_te - drop_te) < 0.02, (
        "recomputing the statistics moves test accuracy by under 0.02: "
        f"{drop_te:.3f} -> {fixed_te:.3f}"
    )

    print(f"training digits: {len(train_idx)}")
    print(f"test digits: {len(test_idx)}")
    print(f"without dropout, train accuracy: {plain_tr:.3f} ±0.01")
    print(f"with dropout, train accuracy: {drop_tr:.3f} ±0.02")
    print(f"without dropout, test accuracy: {plain_te:.3f} ±0.06")
    print(f"with dropout, test accuracy: {drop_te:.3f} ±0.09")
    print(f"with dropout, recomputed BN, test accuracy: {fixed_te:.3f} ±0.09")
    names = ("without dropout", "with dropout", "recomputed BN")
    for name, ratio, tol in zip(names, ratios, ("0.05", "0.04", "0.06")):
        print(f"{name}, eval variance / running_var: {ratio:.2f} ±{tol}")


if __name__ == "__main__":
    main()
