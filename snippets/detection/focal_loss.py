"""Focal loss -alpha_t (1 - p_t)^gamma log p_t shrinks the loss of easy
examples, so the many easy background anchors stop dominating a dense detector's
loss.

Lin, Goyal, Girshick, He & Dollar 2017, "Focal Loss for Dense Object Detection"
(ICCV), Section 3 (3.1 balanced cross entropy, 3.2 focal loss: with gamma = 2 an
example with p_t = 0.9 gets 100x less loss than with CE, p_t ~ 0.968 1000x
less); Section 5.1 (gamma = 2, alpha = 0.25 work best).
"""

import math
import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:focal]
def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    """Per-element FL for binary targets in {0, 1}; alpha=None: no weighting."""
    p = torch.sigmoid(logits)
    p_t = torch.where(targets == 1, p, 1 - p)  # prob. of the true label
    log_p_t = F.logsigmoid(torch.where(targets == 1, logits, -logits))  # stable
    loss = -((1 - p_t) ** gamma) * log_p_t
    if alpha is not None:
        loss = torch.where(targets == 1, alpha, 1 - alpha) * loss
    return loss


# --8<-- [end:focal]


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    # checks against independent computations
    z = torch.randn(200, generator=gen, dtype=torch.float64) * 4
    y = (torch.rand(200, generator=gen) < 0.3).double()
    bce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    assert torch.allclose(sigmoid_focal_loss(z, y, None, 0.0), bce), (
        "FL at gamma 0 equals BCE"
    )
    assert torch.allclose(
        sigmoid_focal_loss(z, y, 0.25, 0.0),
        F.binary_cross_entropy_with_logits(
            z, y, weight=0.25 * y + 0.75 * (1 - y), reduction="none"
        ),
    ), "FL at gamma 0 with alpha equals weighted BCE"
    direct = []
    for zi, yi in zip(z.tolist(), y.tolist()):  # the paper's formula
        p = 1 / (1 + math.exp(-zi))
        pt, at = (p, 0.25) if yi == 1 else (1 - p, 0.75)
        direct.append(-at * (1 - pt) ** 2 * math.log(pt))
    assert torch.allclose(
        sigmoid_focal_loss(z, y), torch.tensor(direct, dtype=torch.float64)
    ), "the vectorised FL equals the paper's formula"
    assert abs((1 - 0.9) ** 2 - 0.01) < 1e-12  # 100x less at p_t = 0.9
    assert 1 / (1 - 0.968) ** 2 > 970  # ~1000x at p_t = 0.968

    # --8<-- [start:dense]
    # a dense detector's scores: 100 000 anchors, 1 in 1000 is an object
    n, n_pos = 100_000, 100
    y = torch.zeros(n, dtype=torch.float64)
    y[:n_pos] = 1
    q = lambda m: torch.special.ndtri((torch.arange(m) + 0.5).double() / m)
    # most negatives easy
    logits = torch.cat(
        [
            1.0 + 1.5 * q(n_pos),  # normal quantiles:
            -4.0 + 1.5 * q(n - n_pos),
        ]
    )
    p_t = torch.where(y == 1, torch.sigmoid(logits), torch.sigmoid(-logits))
    easy_neg = (y == 0) & (p_t > 0.9)  # well classified
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    fl = sigmoid_focal_loss(logits, y)
    share = {
        name: float(l[easy_neg].sum() / l.sum())
        for name, l in (("CE", ce), ("FL", fl))
    }
    pos_share = {
        name: float(l[y == 1].sum() / l.sum())
        for name, l in (("CE", ce), ("FL", fl))
    }
    # --8<-- [end:dense]
    assert (
        share["FL"] < share["CE"] / 5 and pos_share["FL"] > pos_share["CE"]
    ), "FL cuts the easy negatives' share more than fivefold"
    print(
        "FL(gamma=0, alpha=None) == BCE, and == weighted BCE with alpha: True"
    )
    print(
        f"easy negatives (p_t > 0.9), share of anchors: "
        f"{float(easy_neg.double().mean()):.3f}"
    )
    print(f"share of the loss from easy negatives, CE: {share['CE']:.2f}")
    print(f"share of the loss from easy negatives, FL: {share['FL']:.3f}")
    print(
        f"share of the loss from the positives, CE / FL: "
        f"{pos_share['CE']:.3f} / {pos_share['FL']:.3f}"
    )


if __name__ == "__main__":
    main()
