# conv2d_shift_and_add.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/exercises/conv2d_shift_and_add.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python conv2d_shift_and_add_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "cc540bae22f752bf4f4fc3ef0bd2d6b88d32e45a1162716a202335f63e685f82", "sources": {"snippets/convolution/exercises/conv2d_shift_and_add.py": "c45aa8f0dab172e9e634ae2ad126d3f68abea7d63cdde16b5110cd21f6c91a91"}}


# --- the exercise, with the solution removed: snippets/convolution/exercises/conv2d_shift_and_add.py ---
"""Exercise: a convolution layer as k*k shifted, strided slices of the input,
each multiplied by one kernel position's C_out x C_in matrix, then summed.

y_o = b_o + sum_c x_c (cross-correlated with) W_{o,c} (Goodfellow et al. 2016,
"Deep Learning", Section 9.1); output size floor((H + 2p - d(k-1) - 1)/s) + 1
(Dumoulin & Visin 2016, "A guide to convolution arithmetic", Relationship 6).
"""

import itertools

import torch
import torch.nn.functional as F


def conv2d(x, w, b, stride=1, padding=0, dilation=1):
    """x (N, C_in, H, W), w (C_out, C_in, k, k), b (C_out,)
    -> y (N, C_out, ., .)"""
    n, _, h, wd = x.shape
    c_out, _, k, _ = w.shape
    h_out = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    w_out = (wd + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    # TODO: your answer here (see the exercise on the page)
    return x.new_zeros(n, c_out, h_out, w_out)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    checked = 0
    for k, s, p, d, h in itertools.product(
        (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2), (7, 10)
    ):
        if h + 2 * p < d * (k - 1) + 1:
            continue  # the kernel does not fit
        x, w, b = (
            torch.randn(2, 3, h, h + 1, **opts),
            torch.randn(4, 3, k, k, **opts),
            torch.randn(4, **opts),
        )
        ours = conv2d(x, w, b, s, p, d)
        theirs = F.conv2d(x, w, b, stride=s, padding=p, dilation=d)
        assert ours.shape == theirs.shape, "the output size"
        assert torch.allclose(ours, theirs, atol=1e-10), (
            f"equals F.conv2d at k={k}, s={s}, p={p}, d={d}"
        )
        checked += 1
    print("settings checked against F.conv2d:", checked)

    # the sizes the page asks you to predict, read off F.conv2d itself
    x = torch.randn(1, 1, 28, 28, **opts)
    for k, s, p, d in ((5, 1, 0, 1), (3, 2, 1, 1), (3, 1, 2, 2), (4, 3, 0, 1)):
        w = torch.randn(1, 1, k, k, **opts)
        size = F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-1]
        print(f"28x28, k={k}, s={s}, p={p}, d={d}: {size}")


if __name__ == "__main__":
    main()
