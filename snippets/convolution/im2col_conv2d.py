"""conv2d is one matrix product over unfolded patches (im2col): it matches
F.conv2d for every stride, padding, dilation and groups tried.

Chellapilla, Puri & Simard 2006, "High Performance Convolutional Neural Networks
for Document Processing" (unfolding convolutions into a matrix product); CS231n
notes "Convolutional Neural Networks" (Implementation as Matrix Multiplication);
Dumoulin & Visin 2016 (arXiv 1603.07285).
"""

import itertools
import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:im2col]
def conv2d_im2col(
    x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1
):
    n, c_in, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape  # c_per_group = C_in/g
    cols = F.unfold(
        x, (kh, kw), dilation=dilation, padding=padding, stride=stride
    )  # (N, C_in*kh*kw, L)
    cols = cols.view(n, groups, c_per_group * kh * kw, -1)  # split by group
    w_mat = weight.view(groups, c_out // groups, -1)  # (g, C_out/g, C/g*k*k)
    out = torch.einsum("gok,ngkl->ngol", w_mat, cols)  # matrix product
    out = out.reshape(n, c_out, -1)  # (N, C_out, L)
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    h_out = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    w_out = (w + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    return out.view(n, c_out, h_out, w_out)  # fold L back to 2-D


# --8<-- [end:im2col]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    checked = 0
    # --8<-- [start:grid]
    grid = itertools.product([1, 3], [1, 2, 3], [0, 1, 2], [1, 2], [1, 2, 4])
    for k, stride, padding, dilation, groups in grid:  # kernel, s, p, d, g
        x = torch.randn(2, 4, 11, 10, device=device, dtype=torch.float64)
        w = torch.randn(
            8, 4 // groups, k, k, device=device, dtype=torch.float64
        )
        b = torch.randn(8, device=device, dtype=torch.float64)
        args = dict(
            stride=stride, padding=padding, dilation=dilation, groups=groups
        )
        torch.testing.assert_close(
            conv2d_im2col(x, w, b, **args), F.conv2d(x, w, b, **args)
        )
        checked += 1
    # --8<-- [end:grid]
    assert checked == 2 * 3 * 3 * 2 * 3
    x = torch.randn(1, 3, 5, 5, device=device)
    cols = F.unfold(x, 3)  # (1, 3*3*3, 9)
    print(f"settings checked against F.conv2d: {checked}")
    print(
        "im2col matrix of a (1, 3, 5, 5) input, 3x3 kernel: "
        f"{tuple(cols.shape)}"
    )


if __name__ == "__main__":
    main()
