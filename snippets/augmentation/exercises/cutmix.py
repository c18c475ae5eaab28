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
    # BEGIN SOLUTION (starter: return mixup(x, y_onehot, partner, lam))
    H, W = x.shape[-2:]
    rw, rh = int(W * math.sqrt(1 - lam)), int(H * math.sqrt(1 - lam))
    cols = torch.arange(W, device=x.device)
    rows = torch.arange(H, device=x.device)
    # half-open box [c - r//2, c + r//2), clipped to the image by the compare
    in_x = (cols >= (cx - rw // 2)[:, None]) & (cols < (cx + rw // 2)[:, None])
    in_y = (rows >= (cy - rh // 2)[:, None]) & (rows < (cy + rh // 2)[:, None])
    pasted = (in_y[:, :, None] & in_x[:, None, :])[:, None]  # (N, 1, H, W)
    x_mix = torch.where(pasted, x[partner], x)
    kept = 1 - pasted.float().mean((1, 2, 3))[:, None]  # lam, per image
    y_mix = kept * y_onehot + (1 - kept) * y_onehot[partner]
    return x_mix, y_mix
    # END SOLUTION


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
