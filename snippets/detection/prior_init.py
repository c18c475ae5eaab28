"""Initializing the classifier bias to b = -log((1 - pi) / pi) makes every
anchor start at p = pi, so the flood of background anchors does not swamp the
first iterations.

Lin, Goyal, Girshick, He & Dollar 2017, "Focal Loss for Dense Object Detection"
(ICCV), Section 3.3 (Class Imbalance and Model Initialization) and Section 4.1
(Initialization: pi = 0.01).
"""

import math
import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    n, n_pos = 100_000, 100  # 1 anchor in 1000 is an object
    y = torch.zeros(n, dtype=torch.float64)
    y[:n_pos] = 1
    # --8<-- [start:prior]
    pi = 0.01
    for name, b in (("bias 0", 0.0), ("prior bias", -math.log((1 - pi) / pi))):
        logits = torch.full((n,), b, dtype=torch.float64)  # an untrained head
        loss = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
        total = float(loss.sum() / n_pos)  # normalized by #pos
        neg_share = float(loss[y == 0].sum() / loss.sum())
        print(
            f"{name}: p = {float(torch.sigmoid(logits[0])):.3f}, "
            f"loss / #positives = {total:.1f}, "
            f"share from negatives = {neg_share:.3f}"
        )
    # --8<-- [end:prior]
    ref0 = (n * math.log(2)) / n_pos  # closed form for bias 0
    ref1 = ((n - n_pos) * -math.log(1 - pi) + n_pos * -math.log(pi)) / n_pos
    l0 = (
        F.binary_cross_entropy_with_logits(
            torch.zeros(n).double(), y, reduction="sum"
        )
        / n_pos
    )
    l1 = (
        F.binary_cross_entropy_with_logits(
            torch.full((n,), -math.log((1 - pi) / pi)).double(),
            y,
            reduction="sum",
        )
        / n_pos
    )
    assert abs(float(l0) - ref0) < 1e-6 and abs(float(l1) - ref1) < 1e-6
    assert float(l1) < float(l0) / 20


if __name__ == "__main__":
    main()
