"""A dilated k x k kernel spans d(k-1)+1 pixels: dropping the "- 1" or using d*k
gets the output size wrong, and "same" padding must be d(k-1)/2.

Dumoulin & Visin 2016, "A guide to convolution arithmetic" (arXiv 1603.07285),
Section 5.1: the effective kernel size is k + (k-1)(d-1); Yu & Koltun 2016,
"Multi-Scale Context Aggregation by Dilated Convolutions" (ICLR).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    h, k, d = 32, 3, 4
    x = torch.randn(1, 1, h, h, device=device)
    actual = nn.Conv2d(1, 1, k, dilation=d).to(device)(x).shape[-1]
    # --8<-- [start:wrong]
    right = (h - d * (k - 1) - 1) // 1 + 1  # span d(k-1)+1 = 9 -> 24
    no_minus_1 = (h - d * (k - 1)) // 1 + 1  # the "- 1" dropped -> 25
    wrong_dk = (h - d * k) // 1 + 1  # span d*k = 12 -> 21
    wrong_no_d = (h - k) // 1 + 1  # dilation ignored -> 30
    # --8<-- [end:wrong]
    assert actual == right
    assert actual not in (no_minus_1, wrong_dk, wrong_no_d)
    same = nn.Conv2d(1, 1, k, dilation=d, padding=d * (k - 1) // 2)
    assert same.to(device)(x).shape[-1] == h  # "same" with dilation
    too_little = nn.Conv2d(1, 1, k, dilation=d, padding=(k - 1) // 2)
    short = too_little.to(device)(x).shape[-1]
    assert short < h
    print(f"32x32, k=3, d=4, p=0, actual output: {actual}")
    print(f"with span d(k-1)+1: {right}")
    print(f"formula without the - 1: {no_minus_1}")
    print(f"with span d*k: {wrong_dk}")
    print(f"ignoring dilation: {wrong_no_d}")
    print(f"padding d(k-1)/2 = {d * (k - 1) // 2} keeps 32: True")
    print(f"padding (k-1)/2 = {(k - 1) // 2} gives: {short}")


if __name__ == "__main__":
    main()
