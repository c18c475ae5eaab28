"""Inverted dropout from scratch (drop with probability p, scale survivors by
1/(1-p)) matches nn.Dropout.

Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
Overfitting", JMLR 15, Section 4 (the Bernoulli mask); the 1/(1-p) train-time
scaling is PyTorch's convention (torch.nn.Dropout docs).
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
class InvertedDropout(nn.Module):
    """Zero each unit with probability p in training; scale the survivors so
    E[output] = input."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"drop probability must be in [0, 1), got {p}")
        self.p = p  # probability of DROPPING a unit, as in nn.Dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x  # test time: the identity, nothing to rescale
        keep = 1.0 - self.p
        # m ~ Bernoulli(1 - p), one draw per unit
        mask = torch.empty_like(x).bernoulli_(keep)
        # survivors scaled by 1/(1-p): E[m * x / (1-p)] = x
        return x * mask / keep


# --8<-- [end:model]


# --8<-- [start:builtin]
def compare_with_builtin(x: torch.Tensor, p: float) -> dict:
    """Run InvertedDropout and nn.Dropout on the same input and check they
    behave the same."""
    # p = drop probability in both; train mode
    ours, theirs = InvertedDropout(p), nn.Dropout(p)
    y_ours, y_theirs = ours(x), theirs(x)
    # x has no zeros, so a zero means "dropped"
    keep_ours = (y_ours != 0).float().mean().item()
    keep_theirs = (y_theirs != 0).float().mean().item()
    for keep_rate in (keep_ours, keep_theirs):
        # 1e6 draws: std of the rate ~ 0.0005
        assert abs(keep_rate - (1 - p)) < 0.005, keep_rate
    for y in (y_ours, y_theirs):
        kept = y != 0
        # survivors are x / (1 - p)
        torch.testing.assert_close(y[kept], x[kept] / (1 - p))
        # the mean is preserved
        assert abs(y.mean().item() - x.mean().item()) < 0.01
    kept = y_theirs != 0
    scale = (y_theirs[kept] / x[kept]).mean().item()
    ours.eval(), theirs.eval()
    identity = torch.equal(ours(x), x) and torch.equal(theirs(x), x)
    assert identity  # eval(): the identity
    return {
        "keep_ours": keep_ours,
        "keep_theirs": keep_theirs,
        "scale": scale,
        "mean_x": x.mean().item(),
        "mean_ours": y_ours.mean().item(),
        "mean_theirs": y_theirs.mean().item(),
        "identity": identity,
    }


# --8<-- [end:builtin]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # not 0.5, so that mixing up "drop" and "keep" probability
    # would fail the checks
    p = 0.3
    # (1000, 1000): 1e6 activations in [0.5, 1.5)
    x = torch.rand(1000, 1000, device=device) + 0.5
    stats = compare_with_builtin(x, p)

    # With the same RNG state, is our mask nn.Dropout's mask? On CPU PyTorch
    # draws its mask with the same bernoulli_ call, so it is today; that is an
    # implementation detail (the CUDA kernel differs), not asserted.
    torch.manual_seed(SEED + 1)
    mask_ours = InvertedDropout(p)(x) != 0
    torch.manual_seed(SEED + 1)
    mask_theirs = nn.Dropout(p)(x) != 0

    print(f"drop probability p: {p}")
    print(f"keep rate, from scratch: {stats['keep_ours']:.4f}")
    print(f"keep rate, nn.Dropout: {stats['keep_theirs']:.4f}")
    print(f"1/(1-p): {1 / (1 - p):.4f}")
    print(f"survivor scale y/x, nn.Dropout: {stats['scale']:.4f}")
    print(f"mean of input: {stats['mean_x']:.4f}")
    print(f"mean of output, from scratch: {stats['mean_ours']:.4f}")
    print(f"mean of output, nn.Dropout: {stats['mean_theirs']:.4f}")
    print(f"eval() output equals input: {stats['identity']}")
    print(
        f"same mask as nn.Dropout for the same seed: "
        f"{torch.equal(mask_ours, mask_theirs)}"
    )


if __name__ == "__main__":
    main()
