"""Test-time augmentation averages a model's predictions over fixed transformed
copies of each test image: deterministic, but on these digits it changes
accuracy by little.

Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", NeurIPS, Section 4.1: at test time the softmax
is averaged over ten patches, five crops and their horizontal reflections.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from sklearn.datasets import load_digits

from few_labels import fit, rotate_15
from transforms import affine, hflip, rotation_theta

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:tta]
@torch.no_grad()
def tta_predict(model, x, views):
    """Mean softmax over fixed views of x (N, C, H, W) -> (N, classes)."""
    return torch.stack([model(view(x)).softmax(1) for view in views]).mean(0)


def turn(degrees):
    """A fixed rotation, the same for every image: a view for TTA."""
    return lambda x: affine(
        x,
        theta=rotation_theta(torch.full((len(x),), degrees), size=x.shape[-1]),
    )[0]


ROTATIONS = [turn(a) for a in (-10.0, -5.0, 0.0, 5.0, 10.0)]
MIRROR = [lambda x: x, lambda x: hflip(x)[0]]  # AlexNet-style
# --8<-- [end:tta]


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

    def acc(p):
        return (p.argmax(1) == y[test]).float().mean().item()

    plain = acc(tta_predict(model, x[test], [lambda v: v]))
    rotated = acc(tta_predict(model, x[test], ROTATIONS))
    again = acc(tta_predict(model, x[test], ROTATIONS))
    mirrored = acc(tta_predict(model, x[test], MIRROR))
    assert rotated == again  # no randomness
    # a small effect
    assert abs(rotated - plain) < 0.01, (
        f"TTA changes accuracy by less than 0.01 {plain}"
    )
    assert mirrored < plain, (
        f"the mirrored view lowers accuracy {plain} {mirrored}"
    )  # flips: wrong views
    print(f"test accuracy, one view: {plain:.3f} {TOL['plain']}")
    print(f"test accuracy, TTA over 5 rotations: {rotated:.3f} {TOL['rot']}")
    print("TTA gain, 5 rotations: within 0.01 of 0")
    print(
        f"test accuracy, TTA over image + mirror: {mirrored:.3f} "
        f"{TOL['mirror']}"
    )


TOL = {
    "plain": "±0.02",
    "rot": "±0.02",
    "mirror": "±0.03",
}

if __name__ == "__main__":
    main()
