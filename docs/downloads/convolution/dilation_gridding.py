# dilation_gridding.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/dilation_gridding.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python dilation_gridding.py
#
# kb-download: {"record": "bac9e51e27b0f94e1cdcd130f2e2bc58141acb992466a98e1cb53218aaf10da8", "sources": {"snippets/convolution/dilation_gridding.py": "09447c7550b250603feab86a901d085a48007b164e4388b4f28294a243e74464"}}


# --- the snippet, unchanged: snippets/convolution/dilation_gridding.py ---
"""Stacked dilated convolutions with the same rate see only a grid of the
input: three 3x3 convolutions at dilation 2 reach 13x13 pixels but read 49
of them, every other row and column. Rates 1, 2, 3 reach as far and read all.

Yu & Koltun 2016, "Multi-Scale Context Aggregation by Dilated Convolutions"
(ICLR), Section 2 (dilated convolutions); Yu, Koltun & Funkhouser 2017,
"Dilated Residual Networks" (CVPR), on gridding artifacts; Wang et al. 2018,
"Understanding Convolution for Semantic Segmentation" (WACV), hybrid dilated
convolution (rates such as 1, 2, 3 instead of 2, 2, 2).
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:support]
def seen_pixels(rates, size=21, device="cpu"):
    """Which input pixels the centre output of stacked 3x3 convolutions with
    these dilation rates depends on: where its gradient is not zero."""
    f64 = dict(dtype=torch.float64, device=device)
    x = torch.zeros(1, 1, size, size, **f64, requires_grad=True)
    h = x
    for rate in rates:  # positive random weights: no cancellation
        w = torch.rand(1, 1, 3, 3, **f64) + 0.1
        h = F.conv2d(h, w, padding=rate, dilation=rate)
    h[0, 0, size // 2, size // 2].backward()
    return (x.grad[0, 0] != 0).cpu()


# --8<-- [end:support]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rates = {"2, 2, 2": (2, 2, 2), "1, 2, 3": (1, 2, 3), "1, 1, 1": (1, 1, 1)}
    seen = {name: seen_pixels(r, device=device) for name, r in rates.items()}
    for name, mask in seen.items():
        rows, cols = mask.nonzero(as_tuple=True)
        reach = int(rows.max() - rows.min() + 1)  # side of the square it spans
        print(
            f"rates {name}: spans {reach}x{reach}, reads {int(mask.sum())} "
            f"of those {reach * reach} pixels"
        )
    centre = 21 // 2
    rows, cols = seen["2, 2, 2"].nonzero(as_tuple=True)
    assert ((rows - centre) % 2 == 0).all() and (
        (cols - centre) % 2 == 0
    ).all(), "rates 2, 2, 2 read only pixels at even offsets from the centre"
    assert int(seen["2, 2, 2"].sum()) == 7 * 7, "rates 2, 2, 2 read 49 pixels"
    assert seen["2, 2, 2"].sum() == seen["1, 1, 1"].sum(), (
        "as many pixels as three undilated layers read"
    )
    assert int(seen["1, 2, 3"].sum()) == 13 * 13, (
        "rates 1, 2, 3 read every pixel of the same 13x13 square"
    )

    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.8))
    for ax, (name, mask) in zip(axes, seen.items()):
        ax.imshow(mask.numpy(), cmap="Greys", vmin=0, vmax=1)
        ax.set_title(f"dilation rates {name}", fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("Input pixels the centre output reads (black)", fontsize=10)
    fig.tight_layout()
    fig.savefig("dilation_gridding.png", dpi=100)


if __name__ == "__main__":
    main()
