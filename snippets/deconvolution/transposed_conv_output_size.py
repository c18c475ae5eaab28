"""The output size of a transposed convolution is (in-1)*stride - 2*padding +
dilation*(kernel-1) + output_padding + 1.

Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning",
Chapter 4 (transposed convolution arithmetic); PyTorch documents the same
formula for nn.ConvTranspose2d.
"""

import os
import itertools

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:formula]
def conv_out(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_out(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    return (
        (size - 1) * stride
        - 2 * padding
        + dilation * (kernel - 1)
        + output_padding
        + 1
    )


# --8<-- [end:formula]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    checked, round_trips = 0, 0
    grid = itertools.product(
        [1, 4, 7], [1, 2, 3, 4, 5], [1, 2, 3], [0, 1, 2], [1, 2], [0, 1, 2]
    )
    for size, k, s, p, d, op in grid:
        # PyTorch requires output_padding < max(stride, dilation)
        if op >= max(s, d):
            continue
        layer = nn.ConvTranspose2d(
            1, 1, k, stride=s, padding=p, dilation=d, output_padding=op
        )
        expected = conv_transpose_out(size, k, s, p, d, op)
        if expected < 1:  # too much padding: PyTorch raises, nothing to compare
            continue
        out = layer.to(device)(torch.randn(1, 1, size, size, device=device))
        assert out.shape[-1] == out.shape[-2] == expected, (
            size,
            k,
            s,
            p,
            d,
            op,
            out.shape,
        )
        checked += 1
        # a conv with the same settings maps the output size back to the input
        # size exactly when output_padding < stride: the extra rows are the
        # ones the conv's floor division drops
        back = conv_out(expected, k, s, p, d) == size
        assert back == (op < s), (size, k, s, p, d, op)
        round_trips += back
    assert checked > 300, checked

    print(f"settings checked against nn.ConvTranspose2d: {checked}")
    print(f"settings where conv maps the size back: {round_trips}")
    print(f"example 4x4 -> k=3, s=2, p=1: {conv_transpose_out(4, 3, 2, 1)}")
    print(
        f"example 4x4 -> k=3, s=2, p=1, output_padding=1: "
        f"{conv_transpose_out(4, 3, 2, 1, 1, 1)}"
    )
    print(f"example 4x4 -> k=4, s=2, p=1: {conv_transpose_out(4, 4, 2, 1)}")


if __name__ == "__main__":
    main()
