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
    # BEGIN SOLUTION (starter: return x.new_zeros(n, c, h * r, w * r))
    x = x.view(n, c, r, r, h, w)  # channel c r^2 + i r + j -> (c, i, j)
    x = x.permute(0, 1, 4, 2, 5, 3)  # (N, C, H, i, W, j)
    return x.reshape(n, c, h * r, w * r)  # row h r + i, column w r + j
    # END SOLUTION


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
