"""Exercise: SpatialDropout from scratch, one Bernoulli draw per feature map.

Tompson et al. 2015, "Efficient Object Localization Using Convolutional
Networks", Section 3.2: drop whole channels of an (N, C, H, W) tensor and scale
the kept ones by 1/(1-p), which is what nn.Dropout2d does (PyTorch docs).
"""

import torch
from torch import nn


def channel_dropout(x: torch.Tensor, p: float) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H, W): each (sample, channel) map is either all
    zero (probability p) or x / (1 - p)."""
    # BEGIN SOLUTION (starter: return x.clone())
    n, c = x.shape[:2]
    keep = torch.empty(n, c, 1, 1, device=x.device).bernoulli_(1.0 - p)
    return x * keep / (1.0 - p)  # the (N, C, 1, 1) mask covers each map
    # END SOLUTION


def kept_maps(y: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, C) bool: which maps have any nonzero pixel."""
    return (y != 0).flatten(2).any(-1)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    p = 0.3
    x = torch.rand(256, 32, 6, 6, device=device) + 0.5  # no zero pixels
    ours = channel_dropout(x, p)
    assert ours.shape == x.shape, "the output has the input's shape"
    kept = kept_maps(ours)  # (N, C)
    whole = torch.where(kept[..., None, None], x / (1 - p), torch.zeros_like(x))
    assert torch.allclose(ours, whole, atol=1e-6), (
        "each map is either all zero or the whole map times 1/(1-p)"
    )
    ours_rate = kept.float().mean().item()
    assert abs(ours_rate - (1 - p)) < 0.02, "about 1 - p of the maps are kept"
    assert abs(ours.mean().item() - x.mean().item()) < 0.02, (
        "the mean is preserved"
    )
    theirs = nn.Dropout2d(p).train()(x)
    theirs_rate = kept_maps(theirs).float().mean().item()
    assert abs(ours_rate - theirs_rate) < 0.03, (
        "keeps as many maps as nn.Dropout2d"
    )
    print(f"maps kept, channel_dropout: {ours_rate:.3f}")
    print(f"maps kept, nn.Dropout2d: {theirs_rate:.3f}")
    pixels = (ours != 0).float().mean().item()
    print(f"pixels kept, channel_dropout: {pixels:.3f}")


if __name__ == "__main__":
    main()
