"""The Dice loss on an image without the object: without smoothing a correct
prediction costs 0.5 (and the hard-mask score is 0/0); with it one wrong
pixel costs far more than on an image with the object, unless the sums run
over the whole batch.

Milletari, Navab & Ahmadi 2016, "V-Net" (3DV), Section 3 (the Dice
coefficient as a loss); the smoothing term eps is not in the paper: it is a
common addition, as in this page's dice_loss (losses_compared.py).
"""

import math
import sys
from pathlib import Path

# losses_compared.py, with the page's dice_loss, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

from losses_compared import dice_loss

BIG = 40.0  # a logit margin that makes softmax 0 or 1 in float64 arithmetic


def hard_logits(predicted: torch.Tensor) -> torch.Tensor:
    """Logits (N, 2, H, W) whose softmax is the predicted mask (N, H, W)."""
    one_hot = torch.stack([predicted == 0, predicted == 1], 1).double()
    return BIG * (2 * one_hot - 1)


def masks(device) -> dict:
    """16x16 masks: an empty one, one with an 8x8 square, and each with
    one wrong pixel predicted as object."""
    empty = torch.zeros(1, 16, 16, dtype=torch.long, device=device)
    square = empty.clone()
    square[:, 4:12, 4:12] = 1  # 64 object pixels
    wrong_empty, wrong_square = empty.clone(), square.clone()
    wrong_empty[0, 0, 0] = wrong_square[0, 0, 0] = 1  # one false positive
    return dict(empty=empty, square=square, wrong_empty=wrong_empty,
                wrong_square=wrong_square)  # fmt: skip


# --8<-- [start:cases]
def per_image(predicted, target, eps=1.0) -> float:
    """dice_loss of one image: the sums run over its pixels only."""
    return dice_loss(hard_logits(predicted), target, eps).item()


def dice_score(pred: torch.Tensor, target: torch.Tensor) -> float:
    """2 |P and T| / (|P| + |T|) of two boolean masks: the metric."""
    return (2 * (pred & target).sum() / (pred.sum() + target.sum())).item()


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    m = masks(device)
    # without smoothing, the object class of an empty image scores 0 / sum(p)
    # = 0 however small its probabilities are: the worst Dice, for a correct
    # prediction; on hard masks (a metric) it is 0/0
    no_smoothing = per_image(m["empty"], m["empty"], eps=0.0)
    assert abs(no_smoothing - 0.5) < 1e-9, (
        "eps=0: a correct empty image costs 0.5"
    )
    hard = dice_score(m["empty"] == 1, m["empty"] == 1)
    assert math.isnan(hard), "the Dice score of two empty masks is 0/0"
    perfect = per_image(m["empty"], m["empty"])
    assert abs(perfect) < 1e-12, "eps=1: a correct empty image costs nothing"
    on_empty = per_image(m["wrong_empty"], m["empty"])
    on_square = per_image(m["wrong_square"], m["square"])
    # (2 |P.T| + 1) / (|P| + |T| + 1) per class, averaged over the 2 classes:
    # background 511/512, object 1/2: the empty class's term is (0+1)/(1+0+1)
    assert abs(on_empty - (1 - (511 / 512 + 1 / 2) / 2)) < 1e-9
    # background 383/384, object 129/130
    assert abs(on_square - (1 - (383 / 384 + 129 / 130) / 2)) < 1e-9
    assert on_empty > 40 * on_square, (
        "one wrong pixel costs over 40 times more on the empty image"
    )
    # the same two images in one batch: dice_loss sums over the batch too
    batch = torch.cat([m["empty"], m["square"]])
    wrong = torch.cat([m["wrong_empty"], m["square"]])
    pooled = dice_loss(hard_logits(wrong), batch).item()
    assert abs(pooled - (1 - (895 / 896 + 129 / 130) / 2)) < 1e-9
    assert pooled < on_empty / 40, (
        "summed over a batch, the pixel costs under 1/40 of the per-image loss"
    )
    print(f"eps=0, empty image predicted empty: {no_smoothing:.4f}")
    print(f"Dice score of two empty hard masks: {hard}")
    print(f"eps=1, empty image predicted empty: {perfect:.4f}")
    print(f"one wrong pixel, image without the object: {on_empty:.4f}")
    print(f"one wrong pixel, image with a 64-pixel object: {on_square:.4f}")
    print(f"the same pixel, sums over a batch of both images: {pooled:.4f}")


# --8<-- [end:cases]


if __name__ == "__main__":
    main()
