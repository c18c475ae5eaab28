"""Transposed convolution is the adjoint (matrix transpose) of convolution, and
so its gradient.

Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning",
Chapter 4; Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks",
Section 3.3.
"""

import os
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:adjoint]
def conv(x, w):  # (N, C_in, 9, 9) -> (N, C_out, 5, 5)
    return F.conv2d(x, w, stride=2, padding=1)


def conv_t(y, w):  # (N, C_out, 5, 5) -> (N, C_in, 9, 9), same w
    return F.conv_transpose2d(y, w, stride=2, padding=1)


# --8<-- [end:adjoint]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float64  # exact-enough arithmetic for equalities
    # --8<-- [start:check]
    # (C_out, C_in, k, k)
    w = torch.randn(4, 3, 3, 3, device=device, dtype=dtype)
    x = torch.randn(2, 3, 9, 9, device=device, dtype=dtype, requires_grad=True)
    y = torch.randn(2, 4, 5, 5, device=device, dtype=dtype)

    lhs = (conv(x, w) * y).sum()  # <conv(x), y>
    rhs = (x * conv_t(y, w)).sum()  # <x, conv_t(y)>
    # adjoint: the two inner products agree
    torch.testing.assert_close(lhs, rhs)

    (grad_x,) = torch.autograd.grad(lhs, x)  # d<conv(x), y>/dx
    # backward of conv == transposed conv
    torch.testing.assert_close(grad_x, conv_t(y, w))
    # --8<-- [end:check]

    # --8<-- [start:matrix]
    # the matrix view: columns of C are conv(e_i) for the basis images e_i
    basis = torch.eye(3 * 9 * 9, device=device, dtype=dtype).view(-1, 3, 9, 9)
    C = conv(basis, w).reshape(3 * 9 * 9, -1).T  # (4*5*5, 3*9*9) = (100, 243)
    CT = conv_t(torch.eye(100, device=device, dtype=dtype).view(-1, 4, 5, 5), w)
    CT = CT.reshape(100, -1).T  # matrix of conv_t: (243, 100)
    torch.testing.assert_close(CT, C.T)
    # --8<-- [end:matrix]
    assert torch.allclose(lhs, rhs) and torch.allclose(grad_x, conv_t(y, w)), (
        "the inner product identity and the autograd gradient hold"
    )
    assert torch.allclose(CT, C.T), "the matrix of conv_t is the transpose of C"

    print(f"<conv(x), y>: {lhs.item():.4f}")
    print(f"<x, conv_t(y)>: {rhs.item():.4f}")
    # assert_close passed above
    print("autograd gradient of <conv(x), y> equals conv_t(y): True")
    print(f"conv matrix C shape: {tuple(C.shape)}")
    print(f"conv_t matrix shape: {tuple(CT.shape)}, equal to C.T: True")


if __name__ == "__main__":
    main()
