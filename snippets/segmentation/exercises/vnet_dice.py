"""Exercise: V-Net's Dice coefficient, 2 sum(p g) / (sum(p^2) + sum(g^2)), is
2 IoU / (1 + IoU) on hard masks, and on soft predictions it differs from the
plain-sum variant used on this page.

Milletari, Navab & Ahmadi 2016, "V-Net: Fully Convolutional Neural Networks for
Volumetric Medical Image Segmentation" (3DV), Section 3: the Dice coefficient
D of a binary foreground segmentation and its gradient.
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metrics import iou_by_sets  # |P and T| / |P or T| of one class


def vnet_dice(p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """p: foreground probabilities, g: the binary ground truth (0. or 1.),
    same shape -> the Dice coefficient over all their elements."""
    # BEGIN SOLUTION (starter: return (p * g).sum() / g.sum())
    return 2 * (p * g).sum() / ((p**2).sum() + (g**2).sum())
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # by hand: 2 * 0.5 / (0.25 + 0.25 + 1) = 2/3; plain sums: 1 / 2
    p = torch.tensor([0.5, 0.5, 0.0, 0.0], device=device)
    g = torch.tensor([1.0, 0.0, 0.0, 0.0], device=device)
    soft = vnet_dice(p, g).item()
    plain = (2 * (p * g).sum() / (p.sum() + g.sum())).item()
    print(
        f"soft example, V-Net Dice / plain-sum Dice: {soft:.3f} / {plain:.3f}"
    )

    # the checks a learner's answer must pass
    assert abs(soft - 2 / 3) < 1e-6, "the soft example worked out by hand"
    pred = torch.rand(4, 16, 16, device=device) > 0.6
    target = torch.rand(4, 16, 16, device=device) > 0.5
    d = vnet_dice(pred.float(), target.float()).item()
    by_sets = 2 * (pred & target).sum().item() / (pred.sum() + target.sum())
    iou = iou_by_sets(pred.long(), target.long(), 1)
    assert abs(d - by_sets) < 1e-6, "hard masks: 2 |P and G| / (|P| + |G|)"
    assert abs(d - 2 * iou / (1 + iou)) < 1e-6, "hard masks: 2 IoU / (1 + IoU)"
    assert abs(vnet_dice(target.float(), target.float()).item() - 1) < 1e-6, (
        "a perfect prediction scores 1"
    )
    # the gradient V-Net derives, against autograd
    q = torch.rand(64, device=device, requires_grad=True)
    t = (torch.rand(64, device=device) > 0.5).float()
    vnet_dice(q, t).backward()
    grad, q = q.grad, q.detach()
    den = (q**2).sum() + (t**2).sum()
    by_hand = 2 * (t * den - 2 * q * (q * t).sum()) / den**2
    assert torch.allclose(grad, by_hand, atol=1e-6), (
        "the gradient equals the one V-Net derives"
    )
    print(
        f"hard masks, Dice / 2 IoU / (1 + IoU): {d:.4f} / "
        f"{2 * iou / (1 + iou):.4f}"
    )


if __name__ == "__main__":
    main()
