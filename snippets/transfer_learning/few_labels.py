"""With few labels, a net pretrained on a related task beats training from
scratch, frozen or fine-tuned.

Yosinski et al. 2014, "How transferable are features in deep neural networks?"
(NIPS); CS231n notes "Transfer Learning". Source task: 500 labelled clean
shapes; target task: noisier shapes, 5 to 50 labels per class. The "pretrained"
weights are trained right here; nothing is downloaded.
"""

import os
import copy
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
from shapes import CLASSES, make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
DRAWS = 3  # draws of the labelled target images, accuracies averaged
# spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10), at
# 5 / 10 / 20 / 50 labels per class
TOL = {
    "scratch": ("0.09", "0.08", "0.05", "0.05"),
    "frozen features": ("0.1", "0.2", "0.2", "0.2"),
    "fine-tune": ("0.1", "0.08", "0.08", "0.2"),
}


# --8<-- [start:model]
class SmallCNN(nn.Module):
    """A feature extractor (`body`) and a linear classifier on top (`head`)."""

    def __init__(self, n_classes: int = 3):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 5, stride=2, padding=2),
            nn.ReLU(),  # (N, 8, 8, 8)
            nn.Conv2d(8, 16, 3, stride=2, padding=1),
            nn.ReLU(),  # (N, 16, 4, 4)
            nn.AdaptiveMaxPool2d(1),
            nn.Flatten(),  # (N, 16): the features that transfer
        )
        # task-specific, replaced for a new task
        self.head = nn.Linear(16, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


# --8<-- [end:model]


def fit(
    model: nn.Module, params, x, y, steps: int, lr: float = 1e-2
) -> nn.Module:
    """Full-batch Adam on cross-entropy, updating only `params` (tensors or
    param groups)."""
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return model


@torch.no_grad()
def accuracy(model: nn.Module, x, y) -> float:
    return (model(x).argmax(1) == y).float().mean().item()


# --8<-- [start:three_ways]
def adapt(pretrained: SmallCNN, method: str, x, y, steps: int = 40) -> SmallCNN:
    """Train a model for the target task, starting from `pretrained` in one of
    three ways."""
    if method == "scratch":  # same architecture, random weights
        model = SmallCNN().to(x.device)
        return fit(model, model.parameters(), x, y, steps)
    model = copy.deepcopy(pretrained)
    # a new head for the target task
    model.head = nn.Linear(16, len(CLASSES)).to(x.device)
    if method == "frozen features":  # train only the new head
        model.body.requires_grad_(False)
        return fit(model, model.head.parameters(), x, y, steps)
    if method == "fine-tune":  # train everything, the body gently
        groups = [
            {"params": model.body.parameters(), "lr": 1e-3},
            {"params": model.head.parameters(), "lr": 1e-2},
        ]
        return fit(model, groups, x, y, steps)
    raise ValueError(method)


# --8<-- [end:three_ways]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    # --8<-- [start:tasks]
    def task(n: int, seed: int, noise: float, max_side: int):
        data = make_shapes(
            n, size=16, min_side=4, max_side=max_side, noise=noise, seed=seed
        )
        return data["images"].to(device), torch.cat(data["labels"]).to(device)

    # source: plenty of labels, clean
    x_src, y_src = task(500, seed=1, noise=0.1, max_side=8)
    # target: noisier, smaller shapes
    x_tgt, y_tgt = task(800, seed=2, noise=0.25, max_side=7)
    pretrained = SmallCNN().to(device)  # "pretraining", done here
    fit(pretrained, pretrained.parameters(), x_src, y_src, steps=60)
    # --8<-- [end:tasks]
    source_acc = accuracy(pretrained, x_src, y_src)

    x_pool, y_pool, x_test, y_test = (
        x_tgt[:400],
        y_tgt[:400],
        x_tgt[400:],
        y_tgt[400:],
    )
    pool_by_class = [
        (y_pool == c).nonzero().flatten().cpu() for c in range(len(CLASSES))
    ]
    methods = ("scratch", "frozen features", "fine-tune")
    per_class = (5, 10, 20, 50)
    acc = {m: [] for m in methods}
    for k in per_class:
        scores = {m: [] for m in methods}
        for r in range(DRAWS):  # average over draws of the labelled images
            g = torch.Generator().manual_seed(100 * k + r + 1000 * SEED)
            idx = torch.cat(
                [
                    p[torch.randperm(len(p), generator=g)[:k]]
                    for p in pool_by_class
                ]
            ).to(device)
            for m in methods:
                torch.manual_seed(1000 * SEED + r)
                model = adapt(pretrained, m, x_pool[idx], y_pool[idx])
                scores[m].append(accuracy(model, x_test, y_test))
        for m in methods:
            acc[m].append(float(np.mean(scores[m])))

    print(f"source task training accuracy: {source_acc:.3f} ±0.04")
    print(f"target test images: {len(y_test)}")
    for m in methods:
        print(
            f"{m}, test accuracy at 5 / 10 / 20 / 50 labels per class: "
            + " / ".join(f"{a:.2f} ±{t}" for a, t in zip(acc[m], TOL[m]))
        )
    for m in methods:
        print(
            f"{m}, test accuracy with 5 labels per class: "
            f"{acc[m][0]:.2f} ±{TOL[m][0]}"
        )
    # the effect at 5 labels per class: the page takes it seed by seed
    # from the lines above (the difference directive)
    assert acc["frozen features"][0] > acc["scratch"][0] + 0.1, (
        f"frozen features beat scratch by more than 0.1 at 5 labels: {acc}"
    )
    assert acc["fine-tune"][0] > acc["scratch"][0] + 0.1, (
        f"fine-tuning beats scratch by more than 0.1 at 5 labels: {acc}"
    )

    fig, ax = plt.subplots(figsize=(7, 3))
    for m, marker in zip(methods, "osd"):
        ax.plot(per_class, acc[m], marker=marker, label=m)
    ax.set_xscale("log")
    ax.set_xticks(per_class, [str(k) for k in per_class])
    ax.minorticks_off()
    ax.set_xlabel("labelled target images per class")
    ax.set_ylabel("target test accuracy")
    ax.set_title("Pretrained on clean shapes, adapted to noisy shapes")
    ax.legend()
    fig.savefig("transfer_vs_scratch.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
