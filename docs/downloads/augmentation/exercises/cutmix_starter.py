# cutmix.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/augmentation/exercises/cutmix.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python cutmix_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "aa263cfa3fd2ff2c1447d58b02754019e277ed6b236f6733adeea9abb16f3745", "sources": {"snippets/augmentation/exercises/cutmix.py": "5d8eb35b876842b8308ff2c811877e0943cd95fba3106789420f87909799bb67"}}


# --- the exercise, with the solution removed: snippets/augmentation/exercises/cutmix.py ---
"""Exercise: CutMix, pasting a rectangle of a partner image and mixing the
labels by the area it covers.

Yun et al. 2019, "CutMix: Regularization Strategy to Train Strong Classifiers
with Localizable Features", ICCV, Section 3.1: x = M * x_A + (1 - M) * x_B,
y = lam * y_A + (1 - lam) * y_B, with a box of sides W sqrt(1 - lam) and
H sqrt(1 - lam) around a uniform centre; lam is then set to the share of
pixels kept from x_A, since the box is clipped at the border (their code).
"""

import math

import torch
import torch.nn.functional as F


def mixup(x, y_onehot, partner, lam):
    """Mixup with a given lam (Zhang et al. 2018, Section 2): a blend."""
    x_mix = lam * x + (1 - lam) * x[partner]
    return x_mix, lam * y_onehot + (1 - lam) * y_onehot[partner]


def cutmix(x, y_onehot, partner, lam, cx, cy):
    """x (N, C, H, W), y_onehot (N, K), partner (N,) indices, lam in (0, 1),
    box centres cx, cy (N,) -> mixed images (N, C, H, W), soft labels (N, K)."""
    # TODO: your answer here (see the exercise on the page)
    return mixup(x, y_onehot, partner, lam)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    n, k, H, W, lam = 256, 10, 32, 32, 0.7
    x = torch.rand(n, 3, H, W, device=device)  # no two pixels equal
    y = F.one_hot(torch.randint(0, k, (n,), device=device), k).float()
    partner = torch.roll(torch.arange(n, device=device), 1)
    cx = torch.randint(0, W, (n,), device=device)
    cy = torch.randint(0, H, (n,), device=device)
    x_mix, y_mix = cutmix(x, y, partner, lam, cx, cy)

    from_b = (x_mix == x[partner]).all(1)  # (N, H, W)
    from_a = (x_mix == x).all(1)
    assert torch.equal(from_a, ~from_b), (
        "every pixel is copied from the image or from its partner"
    )
    area = from_b.float().mean((1, 2))  # the share of pasted pixels
    differ = (y * y[partner]).sum(1) == 0  # pairs of different classes
    share_a = (y_mix * y).sum(1)  # the label weight of the image's own class
    assert torch.allclose(share_a[differ], 1 - area[differ], atol=1e-6), (
        "each label weight is the share of pixels from that image"
    )
    assert torch.allclose(y_mix.sum(1), torch.ones(n, device=device)), (
        "the soft labels sum to 1"
    )
    rect = from_b.any(2)[:, :, None] & from_b.any(1)[:, None, :]  # (N, H, W)
    assert torch.equal(rect, from_b), "the pasted region is one rectangle"
    inside = (cx >= 8) & (cx < W - 8) & (cy >= 8) & (cy < H - 8)
    assert (area[inside] - (1 - lam)).abs().max() < 0.08, (
        "away from the border the box covers about 1 - lam of the image"
    )
    print(f"lam: {lam}")
    print(
        f"pasted share, boxes away from the border: "
        f"{area[inside].mean().item():.3f}"
    )
    print(f"pasted share, all boxes: {area.mean().item():.3f}")


if __name__ == "__main__":
    main()
