"""With 30 training digits, random rotations of up to 15 degrees raise a small
CNN's test accuracy; with 150 digits the gain is within seed noise.

Shorten & Khoshgoftaar 2019, "A survey on Image Data Augmentation for Deep
Learning", J. Big Data 6:60 (augmentation as a remedy for small data sets);
Simard, Steinkraus & Platt 2003, ICDAR (distorted handwritten digits).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

from transforms import random_rotate

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
STEPS, BATCH = 300, 32
DRAWS = 4  # draws of the 30 labelled digits behind the claim


def small_cnn() -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),  # (N, 8, 8, 8)
        nn.Flatten(),
        nn.Linear(8 * 8 * 8, 10),
    )  # no pooling


# --8<-- [start:train]
def fit(x, y, augment=None, seed=0, steps=STEPS, every_25=None):
    """Adam on batches of BATCH images drawn from (x, y); `augment` maps a batch
    of images to a randomly transformed batch, drawn afresh at every step."""
    torch.manual_seed(seed)  # same init ...
    batches = torch.Generator().manual_seed(seed)  # ... and same batches
    model = small_cnn().to(x.device)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for step in range(steps):
        batch = torch.randint(0, len(x), (BATCH,), generator=batches)
        xb = x[batch.to(x.device)]
        if augment is not None:
            xb = augment(xb)
        loss = F.cross_entropy(model(xb), y[batch.to(x.device)])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if every_25 is not None and (step + 1) % 25 == 0:
            every_25(model, xb)
    return model


def rotate_15(xb):
    return random_rotate(xb, max_degrees=15.0)[0]  # image only, no mask


# --8<-- [end:train]


@torch.no_grad()
def accuracy(model, x, y) -> float:
    return (model(x).argmax(1) == y).float().mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x_all = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    y_all = torch.tensor(digits.target, device=device)
    split = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y_all), generator=split)
    test = order[200:].to(device)  # 1597 test digits
    curves = {}
    for n, size in ((30, "small"), (150, "larger")):
        few = order[:n].to(device)  # the labelled digits
        print(f"{size} training set, labelled digits: {n}")
        runs = {}
        for name, augment in (("base", None), ("aug", rotate_15)):
            curve = runs[name] = []  # test accuracy
            fit(
                x_all[few],
                y_all[few],
                augment,
                SEED,
                every_25=lambda m, _: curve.append(
                    accuracy(m, x_all[test], y_all[test])
                ),
            )
        base, aug = runs["base"], runs["aug"]
        print(
            f"{size} training set, test accuracy without augmentation: "
            f"{base[-1]:.3f} {TOL[n, 'base']}"
        )
        print(
            f"{size} training set, test accuracy with rotations: "
            f"{aug[-1]:.3f} {TOL[n, 'aug']}"
        )
        curves[n] = (base, aug)
        if size == "small":
            # one draw's gain is small next to its spread over draws: the
            # claim is on the mean over DRAWS draws of the n digits
            pairs = [(base[-1], aug[-1])]
            pairs += [
                accuracies_on_another_draw(x_all, y_all, n, d)
                for d in range(1, DRAWS)
            ]
            gains = [with_rot - without for without, with_rot in pairs]
            # the claim
            assert sum(gains) / DRAWS > 0, (
                f"the mean gain over the draws is positive {gains}"
            )
            raised = sum(g > 0 for g in gains)
            for name, i in (("without augmentation", 0), ("with rotations", 1)):
                mean = sum(pair[i] for pair in pairs) / DRAWS
                print(
                    "small training set, mean test accuracy over the draws "
                    f"{name}: {mean:.3f} {TOL[n, 'mean', i]}"
                )
            print(
                f"small training set, draws of the {n} digits where rotations"
                f" raised test accuracy: {raised} {TOL[n, 'raised']} of {DRAWS}"
            )
            print(
                f"small training set, images the augmented run saw: "
                f"{STEPS} steps x {BATCH} = {STEPS * BATCH} random rotations"
                f" of the same {n} digits"
            )
        else:
            assert abs(aug[-1] - base[-1]) < 0.04, (base[-1], aug[-1])
            print(f"{size} training set, gain: within 0.04 of 0")
    _plot(curves)


def accuracies_on_another_draw(x_all, y_all, n: int, draw: int) -> tuple:
    """Test accuracy without and with rotations, on draw `draw` of the n
    labelled digits (and of the test digits), at the end of training."""
    seed = SEED + 1000 * draw
    order = torch.randperm(
        len(y_all), generator=torch.Generator().manual_seed(seed)
    )
    few, test = order[:n].to(x_all.device), order[200:].to(x_all.device)
    acc = [
        accuracy(
            fit(x_all[few], y_all[few], augment, seed), x_all[test], y_all[test]
        )
        for augment in (None, rotate_15)
    ]
    return acc[0], acc[1]


# tolerances: largest distance from the seed-0 value over seeds 1..9 and other
# kernels (kb check --seeds 10), rounded up
TOL = {
    (30, "base"): "±0.2",
    (30, "aug"): "±0.2",
    (30, "raised"): "±1",
    (30, "mean", 0): "±0.05",
    (30, "mean", 1): "±0.05",
    (150, "base"): "±0.02",
    (150, "aug"): "±0.02",
}


def _plot(curves) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.8), sharey=True)
    steps = [25 * (i + 1) for i in range(STEPS // 25)]
    for ax, (n, (base, aug)) in zip(axes, curves.items()):
        ax.plot(steps, base, label="no augmentation")
        ax.plot(steps, aug, label="rotations up to 15 deg")
        ax.set_title(f"{n} labelled digits", fontsize=9)
        ax.set_xlabel("training step")
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(fontsize=8)
    fig.savefig("few_labels.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
