# pixel_shuffle.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/up_pooling/exercises/pixel_shuffle.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python pixel_shuffle_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "3098d2736f0b781bfe5673cc6dde6bc5b31957d2a384e1d593be189e1519f672", "sources": {"snippets/up_pooling/exercises/pixel_shuffle.py": "63c37f124b25ed453474fe1fa8b912b6306d49a1d3f5b53330e8fceb20855f15"}}


# --- the exercise, with the solution removed: snippets/up_pooling/exercises/pixel_shuffle.py ---
"""Exercise: the pixel shuffle of the sub-pixel convolution, from scratch.

Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
Efficient Sub-Pixel Convolutional Neural Network" (ESPCN), CVPR, Section 2.2:
the periodic shuffle, r^2 channels of an H x W map become one channel of an
rH x rW map. The channel order is PyTorch's nn.PixelShuffle: channel
c r^2 + i r + j fills the pixels (h r + i, w r + j).
"""

import torch
from torch import nn


def pixel_shuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    """(N, C r^2, H, W) -> (N, C, H r, W r)"""
    n, c, h, w = x.shape
    c //= r * r
    # TODO: your answer here (see the exercise on the page)
    return x.new_zeros(n, c, h * r, w * r)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    filled = (
        torch.arange(4.0, device=device).view(1, 4, 1, 1).expand(1, 4, 2, 2)
    )
    out = pixel_shuffle(filled, 2)[0, 0].int()
    print("channels filled with 0..3, shuffled, row 0:", out[0].tolist())
    print("channels filled with 0..3, shuffled, row 1:", out[1].tolist())
    for c, r, h, w in ((1, 2, 2, 2), (3, 2, 4, 5), (2, 3, 3, 2)):
        x = torch.randn(2, c * r * r, h, w, device=device)
        ours = pixel_shuffle(x, r)
        theirs = nn.PixelShuffle(r)(x)
        assert ours.shape == theirs.shape, "(N, C, H r, W r)"
        assert torch.equal(ours, theirs), f"equals nn.PixelShuffle({r})"
        back = nn.PixelUnshuffle(r)(ours)
        assert torch.equal(back, x), "nn.PixelUnshuffle undoes it"


if __name__ == "__main__":
    main()
