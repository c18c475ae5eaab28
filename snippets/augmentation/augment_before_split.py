"""Augmenting before the train/validation split leaks: the validation set
holds rotated copies of the training images, and its accuracy overstates the
accuracy on new digits. Splitting first keeps the validation set unseen.

Goodfellow, Bengio & Courville 2016, "Deep Learning", Section 5.3 (a
validation set must not overlap the training data); Kaufman et al. 2012,
"Leakage in Data Mining", ACM TKDD 6(4) (leakage as a general failure).
"""

import os
import sys
from pathlib import Path

# few_labels.py (its CNN and trainer) and transforms.py are in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from sklearn.datasets import load_digits

from few_labels import accuracy, fit
from transforms import random_rotate

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
ORIGINALS, COPIES = 100, 5  # a small data set, each digit in 5 versions


def digits(device):
    d = load_digits()
    x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    return x.to(device), torch.tensor(d.target).to(device)


# --8<-- [start:pipelines]
def copies(x, y):
    """Each image itself and COPIES - 1 random rotations of it (up to 15
    degrees), made once, as a precomputed augmented data set is; and which
    original each copy came from."""
    rotated = [random_rotate(x, max_degrees=15.0)[0] for _ in range(COPIES - 1)]
    origin = torch.arange(len(x), device=x.device).repeat(COPIES)
    return torch.cat([x, *rotated]), y.repeat(COPIES), origin


def augment_then_split(xs, origin):
    """The leak: a random fifth of all copies for validation."""
    is_val = torch.zeros(len(xs), dtype=torch.bool, device=xs.device)
    is_val[torch.randperm(len(xs), device=xs.device)[: len(xs) // 5]] = True
    return is_val


def split_then_augment(xs, origin):
    """A random fifth of the originals, with all their copies, for
    validation: no validation image has a sibling in training."""
    held = torch.randperm(ORIGINALS, device=xs.device)[: ORIGINALS // 5]
    return torch.isin(origin, held)


# --8<-- [end:pipelines]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x_all, y_all = digits(device)
    order = torch.randperm(len(x_all), device=device)
    data, new = order[:ORIGINALS], order[ORIGINALS : ORIGINALS + 1000]
    xs, ys, origin = copies(x_all[data], y_all[data])
    results = {}
    for name, split in [
        ("augment then split", augment_then_split),
        ("split then augment", split_then_augment),
    ]:
        is_val = split(xs, origin)
        model = fit(xs[~is_val], ys[~is_val], seed=SEED)
        sibling = torch.isin(origin[is_val], origin[~is_val]).float().mean()
        results[name] = dict(
            val=accuracy(model, xs[is_val], ys[is_val]),
            new=accuracy(model, x_all[new], y_all[new]),
            sibling=sibling.item(),
        )
    leak, honest = results["augment then split"], results["split then augment"]
    assert leak["sibling"] > 0.9, (
        f"most leaky validation images have a copy in training: {leak}"
    )
    assert leak["val"] > leak["new"] + 0.05, (
        f"the leaky validation accuracy overstates new digits by 0.05: {leak}"
    )
    assert honest["sibling"] == 0.0  # by construction
    print(f"data set: {ORIGINALS} digits, {COPIES} versions of each")
    for (name, r), tol in zip(results.items(), ["±0.02", "±0.2"]):
        # 20 held-out originals make the honest estimate noisy: ±0.2
        print(f"{name}, validation accuracy: {r['val']:.3f} {tol}")
        print(f"{name}, accuracy on 1000 new digits: {r['new']:.3f} ±0.04")
        print(
            f"{name}, validation images with a sibling in training: "
            f"{r['sibling']:.2f}"
        )


if __name__ == "__main__":
    main()
