# degradation.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/residual/degradation.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python degradation.py
#
# kb-download: {"record": "717bfbef2ec7f383a8d505d5e7122677ebab030d04efa058511c0c3eb37225a7", "sources": {"snippets/residual/degradation.py": "c3dc1b0593a665dc154393b459ce00beda3b36d1a47331329c16cde1854379f4"}}


# --- the snippet, unchanged: snippets/residual/degradation.py ---
"""A deeper plain net trains worse than a shallow one; a residual one does not.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 4.1, Fig. 1 and Fig. 4 (plain-18/34 against ResNet-18/34).
Zero-gamma initialization of the last BN of each block: Goyal et al. 2017,
"Accurate, Large Minibatch SGD", Section 5.1.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
WIDTH = 32


# --8<-- [start:model]
class Block(nn.Module):
    """Two linear layers with BN: relu(F(x)) plain, relu(x + F(x)) residual."""

    def __init__(self, shortcut: bool, zero_gamma: bool = False):
        super().__init__()
        self.shortcut = shortcut
        self.f = nn.Sequential(
            nn.Linear(WIDTH, WIDTH, bias=False),
            nn.BatchNorm1d(WIDTH),
            nn.ReLU(),
            nn.Linear(WIDTH, WIDTH, bias=False),
            nn.BatchNorm1d(WIDTH),
        )
        if zero_gamma:  # F(x) = 0 at init: the block is
            nn.init.zeros_(self.f[-1].weight)  # the identity (on x >= 0)

    def forward(self, x):
        h = self.f(x)
        return F.relu(x + h) if self.shortcut else F.relu(h)


def make_net(depth: int, shortcut: bool, zero_gamma: bool = False):
    """`depth` weight layers: input, (depth - 2) / 2 blocks, classifier."""
    blocks = [Block(shortcut, zero_gamma) for _ in range((depth - 2) // 2)]
    return nn.Sequential(
        nn.Linear(64, WIDTH), nn.ReLU(), *blocks, nn.Linear(WIDTH, 10)
    )


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)
    x = ((x - x.mean(0)) / (x.std(0) + 1e-3)).to(device)  # (1797, 64)
    y = torch.tensor(digits.target, device=device)
    # --8<-- [start:train]
    STEPS, BATCH, LAST = 100, 128, 20
    runs = {
        "shallow plain (4 layers)": (4, False, False),
        "deep plain (20 layers)": (20, False, False),
        "shallow residual (4 layers)": (4, True, True),
        "deep residual (20 layers)": (20, True, True),
        "deep residual, gamma=1 init": (20, True, False),
    }
    curves = {}
    for name, (depth, shortcut, zero_gamma) in runs.items():
        torch.manual_seed(SEED)
        net = make_net(depth, shortcut, zero_gamma).to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        order = torch.Generator().manual_seed(SEED)  # same batches for all
        losses = []
        for _ in range(STEPS):
            idx = torch.randint(len(y), (BATCH,), generator=order)
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curves[name] = losses
    final = {n: float(np.mean(c[-LAST:])) for n, c in curves.items()}
    # --8<-- [end:train]
    tol = {
        "shallow plain (4 layers)": 0.02,  # max distance of seeds 1-4
        "deep plain (20 layers)": 0.2,  # from seed 0, rounded up
        "shallow residual (4 layers)": 0.004,
        "deep residual (20 layers)": 0.008,
        "deep residual, gamma=1 init": 0.05,
    }
    for name, value in final.items():
        print(f"{name} final train loss: {value:.3f} ±{tol[name]}")
    sp = final["shallow plain (4 layers)"]
    dp = final["deep plain (20 layers)"]
    sr = final["shallow residual (4 layers)"]
    dr = final["deep residual (20 layers)"]
    print(
        f"deep plain minus deep residual final train loss: {dp - dr:.2f} ±0.2"
    )

    assert dp > 5 * sp and dp - dr > 0.3, final  # degradation, plain only
    assert dr <= sp and dr <= sr, final  # deeper residual: as good
    assert final["deep residual, gamma=1 init"] > 1.3 * dr, final  # init

    fig, ax = plt.subplots(figsize=(7, 3.2))
    kernel = np.ones(10) / 10  # 10-step moving mean
    for name, losses in curves.items():
        style = "--" if "plain" in name else "-"
        ax.plot(np.convolve(losses, kernel, mode="valid"), style, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("step (batch of 128)")
    ax.set_ylabel("train loss, 10-step mean")
    ax.set_title("MLPs on the digits, SGD lr 0.1, momentum 0.9")
    ax.legend(fontsize=7)
    fig.savefig("degradation.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
