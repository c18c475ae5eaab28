"""Dropout on the hidden layer of a ReLU autoencoder makes its hidden
activations sparse: more of them are exactly zero and their mean is lower,
with no sparsity penalty in the loss.

Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
Overfitting", JMLR 15(56), Section 7.2 and Figure 8 (an autoencoder of 256
ReLUs on MNIST, with and without dropout); data: scikit-learn's 8x8 digits.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

N_TRAIN = 1200  # of 1797 images; the other 597 are the test inputs
N_HIDDEN = 256  # as in the paper's autoencoder
EPOCHS = 20


def load_split(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    X, _ = load_digits(return_X_y=True)  # (1797, 64), pixels 0..16
    X = torch.tensor(X / 16.0, dtype=torch.float32, device=device)
    # one fixed split: SEED varies init and order
    perm = torch.randperm(len(X), generator=torch.Generator().manual_seed(0))
    return X[perm[:N_TRAIN].to(device)], X[perm[N_TRAIN:].to(device)]


# --8<-- [start:model]
def make_autoencoder(p: float) -> nn.Sequential:
    """64-256-64; dropout acts on the hidden layer's output, after the ReLU.
    The loss is the reconstruction error only: no sparsity penalty."""
    return nn.Sequential(
        nn.Linear(64, N_HIDDEN),  # encoder
        nn.ReLU(),  # model[:2](x) is the hidden activation h
        nn.Dropout(p),  # training: m * h / (1 - p); eval(): h
        nn.Linear(N_HIDDEN, 64),  # decoder
    )


def train(p: float, X: torch.Tensor, device: str) -> nn.Sequential:
    torch.manual_seed(SEED)  # same init for every p
    # the order has its own generator: dropout draws from the global one
    order = torch.Generator(device=device).manual_seed(SEED)
    model = make_autoencoder(p).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(X), device=device, generator=order).split(
            50
        ):
            loss = F.mse_loss(model(X[idx]), X[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


# --8<-- [end:model]


# --8<-- [start:measure]
@torch.no_grad()
def hidden(model: nn.Sequential, X: torch.Tensor) -> torch.Tensor:
    """h = relu(W1 x + b1) on test inputs, in eval(). Dropout comes after
    h: no mask and no 1/(1-p) touch it, in train() or eval()."""
    model.eval()
    return model[:2](X)  # (N, 256), the encoder and the ReLU only


def sparsity(h: torch.Tensor) -> dict[str, float]:
    return {
        "mean hidden activation": h.mean().item(),
        # scale-free: multiplying h by any c > 0 leaves these unchanged
        "fraction of activations exactly 0": (h == 0).float().mean().item(),
        "active units per test image": (h > 0).float().sum(1).mean().item(),
    }


# --8<-- [end:measure]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    Xtr, Xte = load_split(device)
    models = {p: train(p, Xtr, device) for p in (0.0, 0.5)}
    h = {p: hidden(m, Xte) for p, m in models.items()}
    stats = {p: sparsity(h[p]) for p in h}

    mean0 = stats[0.0]["mean hidden activation"]
    mean5 = stats[0.5]["mean hidden activation"]
    zeros0 = stats[0.0]["fraction of activations exactly 0"]
    zeros5 = stats[0.5]["fraction of activations exactly 0"]
    # the claims, for every seed and CPU kernel (kb check --seeds 10):
    # more exact zeros, a measure of sparsity that no rescaling of h changes,
    assert zeros5 > 2 * zeros0, (
        f"dropout more than doubles the exact zeros {zeros0} {zeros5}"
    )
    # not only from more dead units: the units active on some test image
    # are zero more often too,
    live = {p: h[p][:, h[p].amax(0) > 0] for p in h}  # drop dead columns
    live_zeros = {p: (live[p] == 0).float().mean().item() for p in live}
    assert live_zeros[0.5] > 2 * live_zeros[0.0], (
        f"the live units are zero more often too {live_zeros}"
    )
    # and a lower mean (not scale-free: relu(c z) = c relu(z), so a ReLU
    # layer can shrink h by c > 0 and the decoder grow its weights by 1/c)
    assert mean5 < 0.5 * mean0, (
        f"dropout more than halves the mean activation {mean0} {mean5}"
    )

    # largest distance from seed 0 over seeds 0-9 and other CPU kernels
    tol = {
        "mean hidden activation": {0.0: 0.007, 0.5: 0.007},
        "fraction of activations exactly 0": {0.0: 0.04, 0.5: 0.04},
        "active units per test image": {0.0: 8, 0.5: 10},
    }
    for p, name in ((0.0, "without dropout"), (0.5, "with dropout, p=0.5")):
        for label, value in stats[p].items():
            digits = 0 if label.startswith("active") else 3
            print(f"{label}, {name}: {value:.{digits}f} ±{tol[label][p]}")

    # Figure 8 of the paper, on the digits
    bins_h = np.linspace(0.0, 2.0, 41)
    bins_unit = np.linspace(0.0, 0.8, 33)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
    for p, color, label in (
        (0.0, "tab:red", "without dropout"),
        (0.5, "tab:blue", "dropout, p=0.5"),
    ):
        values = h[p].cpu().numpy()
        ax1.hist(
            values.ravel().clip(max=2.0),
            bins=bins_h,
            histtype="step",
            color=color,
            label=label,
        )
        ax2.hist(
            values.mean(0).clip(max=0.8),
            bins=bins_unit,
            histtype="step",
            color=color,
            label=label,
        )
    ax1.set_yscale("log")
    ax1.set_xlabel("hidden activation (test images x units)")
    ax1.set_ylabel("count")
    ax2.set_xlabel("mean activation of a unit over the test images")
    ax2.set_ylabel("units")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.suptitle("64-256-64 ReLU autoencoder on digits, eval()")
    fig.savefig("activation_sparsity.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
