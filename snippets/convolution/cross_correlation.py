"""Deep-learning "convolution" (F.conv2d) is cross-correlation: a true
convolution is the same call with the kernel flipped.

Goodfellow, Bengio & Courville 2016, "Deep Learning", Section 9.1: "many machine
learning libraries implement cross-correlation but call it convolution".
"""

import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:definitions]
def cross_correlate(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """S(i, j) = sum_m sum_n x(i + m, j + n) k(m, n), 'valid' positions only."""
    kh, kw = k.shape
    out = torch.zeros(x.shape[0] - kh + 1, x.shape[1] - kw + 1, dtype=x.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (x[i : i + kh, j : j + kw] * k).sum()  # slide, no flip
    return out


def convolve(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """S(i, j) = sum_m sum_n x(i - m, j - n) k(m, n): the kernel is flipped."""
    return cross_correlate(x, k.flip(0, 1))  # flip rows and columns


# --8<-- [end:definitions]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(7, 7, dtype=torch.float64)
    k = torch.randn(3, 3, dtype=torch.float64)  # not symmetric

    # --8<-- [start:check]
    as4d = lambda t: t[None, None].to(device)  # (1, 1, H, W)
    torch_out = F.conv2d(as4d(x), as4d(k))[0, 0].cpu()  # what nn.Conv2d runs
    torch.testing.assert_close(torch_out, cross_correlate(x, k))
    flipped = F.conv2d(as4d(x), as4d(k.flip(0, 1)))[0, 0].cpu()
    torch.testing.assert_close(flipped, convolve(x, k))  # true convolution
    # --8<-- [end:check]
    gap = (torch_out - convolve(x, k)).abs().max().item()
    assert gap > 1e-3, gap  # they differ...
    sym = k + k.flip(0, 1)  # ...unless symmetric
    torch.testing.assert_close(cross_correlate(x, sym), convolve(x, sym))

    # numpy's convolve is the signal-processing convolution: it flips.
    x1, k1 = x[0].numpy(), k[0].numpy()
    np_conv = torch.from_numpy(np.convolve(x1, k1, mode="valid"))
    t_conv = F.conv1d(x[0][None, None], k[0].flip(0)[None, None])[0, 0]
    torch.testing.assert_close(t_conv, np_conv)

    print("F.conv2d == cross-correlation (no flip): True")
    print("F.conv2d with flipped kernel == true convolution: True")
    print(
        f"max |cross-correlation - convolution|, random 3x3 kernel: {gap:.2f}"
    )
    print("equal for a kernel symmetric under the flip: True")
    print("np.convolve == F.conv1d with flipped kernel: True")


if __name__ == "__main__":
    main()
