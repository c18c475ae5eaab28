"""Cross-entropy, class-weighted cross-entropy, Dice and focal loss side by side
on the same predictions: plain CE spends its gradient on the many background
pixels, the other three shift it to the rare shape pixels.

Milletari, Navab & Ahmadi 2016, "V-Net" (3DV), Section 3 (Dice loss for
foreground/background imbalance); Lin et al. 2017, "Focal Loss for Dense Object
Detection" (ICCV), Section 3 (focal loss); Ronneberger, Fischer & Brox 2015,
U-Net (MICCAI), Section 3 (a pixel-wise weight map in the CE).
"""

import os
import sys
from pathlib import Path

# the shared data set
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
import torch.nn.functional as F

from shapes import make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:losses]
def dice_loss(logits, target, eps=1.0):
    """1 - mean over classes of 2|P.T| / (|P| + |T|), on softmax
    probabilities."""
    p = logits.softmax(1)  # (N, C, H, W)
    t = F.one_hot(target, p.shape[1]).permute(0, 3, 1, 2).to(p.dtype)
    inter, total = (p * t).sum((0, 2, 3)), (p + t).sum((0, 2, 3))  # per class
    return 1 - ((2 * inter + eps) / (total + eps)).mean()


def focal_loss(logits, target, gamma=2.0):
    """Multi-class focal loss: CE of each pixel scaled by (1 - p_t)^gamma."""
    logp_t = logits.log_softmax(1).gather(1, target[:, None])[:, 0]
    return (-((1 - logp_t.exp()) ** gamma) * logp_t).mean()


def make_losses(train_masks, num_classes=4):
    freq = torch.bincount(train_masks.flatten(), minlength=num_classes).double()
    w = freq.sum() / (num_classes * freq)  # inverse frequency
    return {
        "cross-entropy": F.cross_entropy,
        "weighted CE": lambda z, y: F.cross_entropy(z, y, weight=w.to(z)),
        "Dice": dice_loss,
        "focal (gamma=2)": focal_loss,
    }


# --8<-- [end:losses]


def main() -> None:
    torch.manual_seed(SEED)
    kw = dict(max_shapes=1, min_side=8, max_side=10)  # small shapes
    y = make_shapes(64, seed=SEED, **kw)["masks"]  # (N, H, W)
    bg = float((y == 0).double().mean())
    print(f"background share of the pixels: {bg:.2f}")

    # --8<-- [start:run]
    # a half-trained network: background pixels confidently right (p = 0.95),
    # shape pixels still unsure (p = 0.4 on the true class)
    def logits_for(p_true):
        z = torch.full((len(y), 4) + y.shape[1:], 0.0, dtype=torch.float64)
        t = torch.where(y == 0, *torch.tensor(p_true).double())  # (N, H, W)
        z.scatter_(1, y[:, None], (t / (1 - t) * 3).log()[:, None])
        return z  # softmax gives t on the true class

    z = logits_for((0.95, 0.4)).requires_grad_()
    results = {}
    for name, loss_fn in make_losses(y).items():
        (g,) = torch.autograd.grad(loss_fn(z, y), z)
        g = g.norm(dim=1)  # per pixel
        results[name] = float(g[y > 0].sum() / g.sum())
        print(
            f"{name}: share of the gradient from shape pixels "
            f"{results[name]:.2f}"
        )
    # --8<-- [end:run]
    p = z.detach().softmax(1).gather(1, y[:, None])[:, 0]
    assert torch.allclose(p[y == 0], torch.tensor(0.95, dtype=torch.float64))
    ce = results["cross-entropy"]
    assert all(
        v > ce + 0.05 for k, v in results.items() if k != "cross-entropy"
    )


if __name__ == "__main__":
    main()
