"""Evaluating with the training augmentations gives a lower accuracy that
changes from run to run; the augmented training batches also score lower than
the clean training images.

Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", NeurIPS, Section 4.1: random crops and flips
while training; at test time fixed crops, averaged.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from sklearn.datasets import load_digits

from few_labels import accuracy, fit, rotate_15

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
PAIRS = 10  # pairs of augmented evaluations compared digit by digit


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target, device=device)
    split = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y), generator=split)
    train, test = order[:1000].to(device), order[1000:].to(device)
    model = fit(x[train], y[train], augment=rotate_15, seed=SEED)
    # --8<-- [start:evaluate]
    clean = [accuracy(model, x[test], y[test]) for _ in range(2)]
    # the bug: the test images go through the training pipeline
    augmented = [
        accuracy(model, rotate_15(x[test]), y[test]) for _ in range(10)
    ]
    # --8<-- [end:evaluate]
    with torch.no_grad():  # pairs of augmented runs, digit by digit
        runs = torch.stack(
            [model(rotate_15(x[test])).argmax(1) for _ in range(2 * PAIRS)]
        )  # (2 PAIRS, test digits) predicted classes
    changed = (runs[0::2] != runs[1::2]).sum(1).float()  # (PAIRS,)
    mean_aug = sum(augmented) / len(augmented)
    assert clean[0] == clean[1], "the clean evaluations agree exactly"
    # random
    assert changed.min() > 0 and max(augmented) > min(augmented), (
        "every pair of augmented evaluations differs"
    )
    assert mean_aug < clean[0], (
        f"the augmented evaluations are lower on average {clean} {augmented}"
    )
    print(
        f"clean test set, evaluation 1 and 2: {clean[0]:.3f} {TOL['clean']}, "
        f"{clean[1]:.3f} {TOL['clean']}"
    )
    print(
        f"augmented test set, evaluation 1 and 2: "
        f"{augmented[0]:.3f} {TOL['augmented']}, "
        f"{augmented[1]:.3f} {TOL['augmented']}"
    )
    print(
        f"augmented test set, 10 evaluations: "
        f"{min(augmented):.3f} {TOL['augmented 10']} to "
        f"{max(augmented):.3f} {TOL['augmented 10']}, "
        f"mean {mean_aug:.3f} {TOL['augmented 10']}"
    )
    print(
        f"test digits whose predicted class changed between two augmented "
        f"evaluations, mean of {PAIRS} pairs: {changed.mean():.0f} "
        f"{TOL['changed']} of {len(test)}"
    )
    # --8<-- [start:train_accuracy]
    on_batches = (
        sum(accuracy(model, rotate_15(x[train]), y[train]) for _ in range(5))
        / 5
    )  # what training logs
    on_clean = accuracy(model, x[train], y[train])
    # --8<-- [end:train_accuracy]
    assert on_batches < on_clean, (
        f"accuracy on augmented training images is lower {on_batches}"
    )
    print(
        f"training accuracy on augmented images: {on_batches:.3f} "
        f"{TOL['train augmented']}"
    )
    print(
        f"training accuracy on the clean images: {on_clean:.3f} "
        f"{TOL['train clean']}"
    )


TOL = {
    "clean": "±0.02",
    "augmented": "±0.03",
    "augmented 10": "±0.02",
    "changed": "±10",
    "train augmented": "±0.05",
    "train clean": "±0.03",
}

if __name__ == "__main__":
    main()
