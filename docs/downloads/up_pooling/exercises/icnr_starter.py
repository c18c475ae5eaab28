# icnr.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/up_pooling/exercises/icnr.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python icnr_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "e316014202bd6283ddd63538deef9f99269c51c1f7ea81822f702d8deb658839", "sources": {"snippets/up_pooling/exercises/icnr.py": "2f45678ce442a2485d1ae74eb1ee426cea3c5df2bbbaef4b6c2c5d670c387370"}}


# --- the exercise, with the solution removed: snippets/up_pooling/exercises/icnr.py ---
"""Exercise: ICNR, the initialization that makes a convolution followed by a
pixel shuffle start without a checkerboard.

Aitken et al. 2017, "Checkerboard artifact free sub-pixel convolution"
(arXiv:1707.02937): give the r^2 sub-pixel kernels of each output channel the
same weights; the layer then starts as a convolution followed by
nearest-neighbour upsampling, which is flat on a flat input.
"""

import torch
import torch.nn.functional as F
from torch import nn


@torch.no_grad()
def icnr_(weight: torch.Tensor, r: int) -> torch.Tensor:
    """Set the (C r^2, C_in, k, k) weight in place so that the r^2 kernels of
    each output channel c (rows c r^2 to c r^2 + r^2 - 1) are equal."""
    # TODO: your answer here (see the exercise on the page)
    return weight


def flat_field(layer: nn.Module) -> float:
    """Relative std of each channel's output for a constant input."""
    out = layer(torch.ones(1, 4, 8, 8, device=layer[0].weight.device))
    inner = out[0, :, 2:-2, 2:-2]  # (C, H, W), away from the zero padding
    spread = inner.std(dim=(1, 2)) / inner.abs().mean(dim=(1, 2))
    return spread.mean().item()  # averaged over the channels


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    r = 2
    plain, ours = (
        nn.Sequential(
            nn.Conv2d(4, 3 * r * r, 3, padding=1, bias=False),
            nn.PixelShuffle(r),
        ).to(device)
        for _ in range(2)
    )
    icnr_(ours[0].weight, r)
    print(f"flat-field pattern, random init: {flat_field(plain):.3f}")
    print(f"flat-field pattern, ICNR: {flat_field(ours):.3f}")
    x = torch.randn(2, 4, 6, 6, device=device)
    base = ours[0].weight[:: r * r]  # (3, 4, 3, 3)
    nearest = F.interpolate(F.conv2d(x, base, padding=1), scale_factor=r)
    assert torch.allclose(ours(x), nearest, atol=1e-6), (
        "with ICNR, conv + pixel shuffle = conv + nearest upsampling"
    )
    assert flat_field(ours) < 1e-5, "with ICNR a flat input gives a flat output"


if __name__ == "__main__":
    main()
