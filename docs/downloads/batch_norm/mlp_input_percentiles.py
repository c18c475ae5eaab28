# mlp_input_percentiles.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/mlp_input_percentiles.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python mlp_input_percentiles.py
#
# kb-download: {"record": "22d5d0f77ac64390c848eadca92c136c26ed9369f329e325e1ac7eddfe15719d", "sources": {"snippets/batch_norm/mlp_input_percentiles.py": "1ddee0d7ce75cd2752ad041b75b543906b73c8076081bf6119b62b43930c983a"}}


# --- the snippet, unchanged: snippets/batch_norm/mlp_input_percentiles.py ---
"""In a fully connected sigmoid network the distribution of a last-layer
sigmoid's input drifts during training; with batch norm, applied to each
activation, it moves much less.

Ioffe & Szegedy 2015, "Batch Normalization", ICML: each scalar feature is
normalized on its own (Section 3); Section 4.1, Figure 1(b, c): MNIST, three
fully connected hidden layers of 100 sigmoid units, the 15th, 50th and 85th
percentiles of one last-layer sigmoid input over training. Here the 8x8 digits.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
STEPS, EVERY = 800, 50  # minibatch updates; measure every EVERY steps
QS = (0.15, 0.50, 0.85)  # the percentiles of the paper's Figure 1
# largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10): results of training
TOL = {
    (False, "median"): 0.1, (False, "max"): 0.4,
    (True, "median"): 0.03, (True, "max"): 0.2,
}  # fmt: skip


# --8<-- [start:model]
def make_mlp(batch_norm: bool) -> nn.Sequential:
    """64-100-100-100-10, sigmoids; BN on each of the 100 activations of a
    layer, before its sigmoid (BatchNorm1d: one mean and variance per unit)."""
    layers, fan_in = [], 64
    for _ in range(3):
        layers.append(nn.Linear(fan_in, 100))
        if batch_norm:
            # batch statistics also when measuring: no running averages
            layers.append(nn.BatchNorm1d(100, track_running_stats=False))
        layers.append(nn.Sigmoid())
        fan_in = 100
    layers.append(nn.Linear(100, 10))
    return nn.Sequential(*layers)


# --8<-- [end:model]


# --8<-- [start:track]
def sigmoid_inputs(model: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """The input of every sigmoid of the last hidden layer: (N, 100)."""
    last_sigmoid = [m for m in model if isinstance(m, nn.Sigmoid)][-1]
    seen = []
    hook = last_sigmoid.register_forward_hook(lambda m, i, o: seen.append(i[0]))
    with torch.no_grad():
        model(x)
    hook.remove()
    return seen[0]


def train(batch_norm: bool, data, device: str) -> torch.Tensor:
    """Percentiles (len(QS), checkpoints, 100 units) of the last hidden
    layer's sigmoid inputs on held-out images, over training."""
    torch.manual_seed(SEED)
    Xtr, ytr, Xte = data
    model = make_mlp(batch_norm).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    q = torch.tensor(QS, device=device)
    history = []
    for step in range(STEPS + 1):
        if step % EVERY == 0:
            history.append(sigmoid_inputs(model, Xte).quantile(q, dim=0))
        if step == STEPS:
            break
        idx = torch.randint(len(ytr), (60,), device=device)
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return torch.stack(history, dim=1)


# --8<-- [end:track]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(y, device=device)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    train_idx, test_idx = perm[:1300].to(device), perm[1300:].to(device)
    data = (X[train_idx], y[train_idx], X[test_idx])

    hist = {bn: train(bn, data, device) for bn in (False, True)}
    # drift of each unit: how far its 15/50/85th percentiles moved from
    # their values at step 0, largest over checkpoints and the 3 percentiles
    drift = {
        bn: (h - h[:, :1]).abs().amax(dim=(0, 1)) for bn, h in hist.items()
    }
    # the claim, for every unit's median and for the worst unit
    assert drift[True].median() < 0.5 * drift[False].median(), (
        f"BN more than halves the median drift: {drift}"
    )
    assert drift[True].max() < drift[False].max(), "BN's largest drift"
    unit = 0  # the unit drawn
    for bn, name in ((False, "without BN"), (True, "with BN")):
        d = drift[bn]
        print(
            f"median unit drift, {name}: {d.median():.3f} ±{TOL[bn, 'median']}"
        )
        print(f"largest unit drift, {name}: {d.max():.3f} ±{TOL[bn, 'max']}")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
    steps = [k * EVERY for k in range(hist[False].shape[1])]
    for ax, bn, title in zip(axes, (False, True), ("without BN", "with BN")):
        for i, style in enumerate((":", "-", ":")):
            ax.plot(steps, hist[bn][i, :, unit].cpu(), "k" + style)
        ax.set_title(f"unit {unit} of the last hidden layer, {title}")
        ax.set_xlabel("training step")
    axes[0].set_ylabel("sigmoid input: 15th, 50th, 85th %")
    fig.savefig("mlp_input_percentiles.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
