"""AlphaDropout keeps both the mean and the variance of a standardized input
(mean 0, variance 1); on an input with mean 2 and variance 9 it lowers both,
as its closed form predicts.

Klambauer, Unterthiner, Mayr & Hochreiter 2017, "Self-Normalizing Neural
Networks", NeurIPS, paragraph "New Dropout Technique": dropped units are set
to alpha' = -lambda * alpha, then a * x + b with a and b chosen so that mean
and variance are kept for a standardized input. PyTorch documentation,
nn.AlphaDropout (input with zero mean and unit standard deviation).
"""

import math
import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
P = 0.3
ALPHA_PRIME = -1.0507009873554805 * 1.6732632423543772  # -SELU lambda * alpha


# --8<-- [start:closed_form]
def alpha_dropout_moments(mean: float, var: float, p: float) -> tuple:
    """Mean and variance of AlphaDropout's output for an input of this mean
    and variance: keep x with probability 1 - p, else alpha', then a x + b."""
    a = ((1 - p) * (1 + p * ALPHA_PRIME**2)) ** -0.5
    # before a x + b: mean m and second moment s of the mix of x and alpha'
    m = (1 - p) * mean + p * ALPHA_PRIME
    s = (1 - p) * (var + mean**2) + p * ALPHA_PRIME**2
    # b = -a p alpha' cancels the dropped units' share of the mean
    return a * (1 - p) * mean, a**2 * (s - m**2)


# --8<-- [end:closed_form]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dropout = nn.AlphaDropout(P).train()
    # --8<-- [start:run]
    for mean, var in [(0.0, 1.0), (2.0, 9.0)]:
        x = mean + math.sqrt(var) * torch.randn(
            4_000_000, dtype=torch.float64, device=device
        )
        out = dropout(x)
        expected_mean, expected_var = alpha_dropout_moments(mean, var, P)
        assert abs(out.mean().item() - expected_mean) < 0.01, (
            "the sampled mean matches the closed form"
        )
        assert abs(out.var().item() / expected_var - 1) < 0.01, (
            "the sampled variance matches the closed form"
        )
        # --8<-- [end:run]
        given = f"input mean {mean:.0f} variance {var:.0f}"
        print(f"{given}, output mean: {expected_mean:.2f}")
        print(f"{given}, output variance: {expected_var:.2f}")
    kept = alpha_dropout_moments(0.0, 1.0, P)
    moved = alpha_dropout_moments(2.0, 9.0, P)
    assert abs(kept[0]) < 1e-12 and abs(kept[1] - 1) < 1e-12, (
        "a standardized input keeps mean 0 and variance 1"
    )
    assert moved[0] < 2.0 - 0.5 and moved[1] < 0.9 * 9.0, (
        "an input with mean 2 and variance 9 loses both"
    )
    print(
        "sampled mean within 0.01, variance within 1%, of the closed form: True"
    )


if __name__ == "__main__":
    main()
