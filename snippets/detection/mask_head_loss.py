"""Mask R-CNN's mask loss is a per-pixel sigmoid cross-entropy on the mask of
the RoI's ground-truth class only: the other K - 1 masks get no gradient, while
a per-pixel softmax over the classes sends gradient to every class's channel.

He, Gkioxari, Dollar & Girshick 2017, "Mask R-CNN" (ICCV), Section 3 (the mask
branch outputs K binary m x m masks per RoI; L_mask is the average binary
cross-entropy over a per-pixel sigmoid, defined only on the k-th mask for an
RoI of ground-truth class k, which decouples mask and class prediction) and
Table 2b (per-class sigmoid masks against a multinomial softmax over classes).
"""

import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:loss]
def mask_loss(mask_logits, labels, gt_masks):
    """mask_logits (N, K, m, m): one mask per class; labels (N,): each RoI's
    ground-truth class; gt_masks (N, m, m) in {0, 1} -> the mean over the
    N x m x m pixels of the binary cross-entropy of the GT class's mask."""
    m = mask_logits.shape[-1]
    idx = labels.view(-1, 1, 1, 1).expand(-1, 1, m, m)
    x = mask_logits.gather(1, idx)  # (N, 1, m, m): the k-th mask only
    t = gt_masks[:, None]  # (N, 1, m, m)
    # -[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], written to be stable
    return (x.clamp(min=0) - x * t + torch.log1p(torch.exp(-x.abs()))).mean()


def softmax_mask_loss(mask_logits, bg_logits, labels, gt_masks):
    """The multinomial alternative, as in FCNs: a softmax over background and
    the K classes at every pixel, the target the GT class on the mask."""
    logits = torch.cat([bg_logits, mask_logits], 1)  # (N, 1 + K, m, m)
    target = gt_masks.long() * (labels + 1).view(-1, 1, 1)  # 0 = background
    return F.cross_entropy(logits, target)


# --8<-- [end:loss]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    f64 = dict(dtype=torch.float64, device=device)
    N, K, m = 6, 5, 7  # RoIs, classes, mask size
    logits = torch.randn(N, K, m, m, **f64, requires_grad=True)
    bg = torch.randn(N, 1, m, m, **f64, requires_grad=True)
    labels = torch.randint(K, (N,), device=device)
    gt = (torch.rand(N, m, m, **f64) < 0.5).to(torch.float64)
    is_gt = F.one_hot(labels, K).bool()[:, :, None, None].expand(N, K, m, m)

    # --8<-- [start:grads]
    loss = mask_loss(logits, labels, gt)
    (g_sig,) = torch.autograd.grad(loss, logits)  # (N, K, m, m)
    soft = softmax_mask_loss(logits, bg, labels, gt)
    (g_soft,) = torch.autograd.grad(soft, logits)
    # --8<-- [end:grads]
    assert torch.equal(g_sig[~is_gt], torch.zeros_like(g_sig[~is_gt])), (
        "sigmoid: the other classes' masks get exactly zero gradient"
    )
    assert (g_sig[is_gt] != 0).all(), (
        "sigmoid: every GT-class pixel gets gradient"
    )
    # d loss / d x = (sigmoid(x) - t) / (N m m) on the GT channel
    picked = logits.detach()[torch.arange(N), labels]  # (N, m, m)
    torch.testing.assert_close(
        g_sig[torch.arange(N), labels],
        (torch.sigmoid(picked) - gt) / (N * m * m),
    )
    torch.testing.assert_close(
        loss, F.binary_cross_entropy_with_logits(picked, gt)
    )  # equals PyTorch's BCE on the gathered channel
    assert (g_soft != 0).all(), "softmax: every class's channel gets gradient"

    # decoupled: the other classes' logits do not enter the sigmoid loss
    noise = torch.randn(N, K, m, m, **f64).masked_fill(is_gt, 0.0)
    with torch.no_grad():
        loss, soft = loss.detach(), soft.detach()
        moved = mask_loss(logits + noise, labels, gt)
        moved_soft = softmax_mask_loss(logits + noise, bg, labels, gt)
    assert torch.equal(moved, loss), (
        "sigmoid: other classes' logits change nothing"
    )
    assert (moved_soft - soft).abs() > 1e-3, "softmax: the classes compete"

    groups = {  # gradient norm of each group of channels
        "sigmoid, GT class's mask": g_sig[is_gt],
        "sigmoid, other classes' masks": g_sig[~is_gt],
        "softmax, GT class's channel": g_soft[is_gt],
        "softmax, other classes' channels": g_soft[~is_gt],
    }
    print(f"mask loss (sigmoid, GT class only): {float(loss):.4f}")
    for name, g in groups.items():
        print(f"gradient norm, {name}: {float(g.norm()):.5f}")
    print(
        f"softmax loss change when only the other classes' logits move: "
        f"{float((moved_soft - soft).abs()):.4f}"
    )


if __name__ == "__main__":
    main()
