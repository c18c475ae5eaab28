# channel_dropout.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/dropout/exercises/channel_dropout.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python channel_dropout_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "f98c8eb2fdece0d99416f366e841b99dbf75cb17e02d33b654e45935e03e4b6c", "sources": {"snippets/dropout/exercises/channel_dropout.py": "dd1e7c67798094c1e10473bbdbca59be1aaa57acb3530b06eb39eab2a12a0090"}}


# --- the exercise, with the solution removed: snippets/dropout/exercises/channel_dropout.py ---
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
    # TODO: your answer here (see the exercise on the page)
    return x.clone()


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
